package com.example.greeter;

import dev.baton.worker.Baton;

/** Serves under a Baton master (or alone on BATON_LISTEN, 127.0.0.1:8080 by default, in development). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Baton.serve(exchange -> exchange.getResponseSender().send("hello from worker " + Baton.workerNumber()
                + " of generation " + Baton.generation() + "\n"));
    }
}
