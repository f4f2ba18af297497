package dev.baton.worker.runtime;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The drain's view of a server's connections, for adapters whose server does not keep one: which
 * connections are open, which have a request running, since when the others have been idle.
 *
 * <p>A drain must tell a busy connection (its request finishes) from an idle keep-alive one (we
 * close it, its client won't), and must never close one on which a request has begun. So the
 * decision to close and the start of a request exclude each other here: once {@link #closeIdle}
 * has chosen a connection, {@link #requestStarted} on it says no, and the other way round. The
 * adapter reports what its server does, from whatever threads it does it on.
 *
 * @param <C> the server's connection type; identity is what counts
 */
public final class OpenConnections<C> {

    private final ConcurrentHashMap<C, Activity> open = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final Consumer<C> close;

    /** @param close closes one connection cleanly (FIN, not reset); may be asynchronous */
    public OpenConnections(Consumer<C> close) {
        this.close = close;
    }

    /** A connection was accepted; idle from now. */
    public void opened(C connection) {
        open.put(connection, new Activity(System.nanoTime()));
    }

    /** A connection is gone, whoever closed it. */
    public void closed(C connection) {
        Activity activity = open.remove(connection);
        if (activity != null) {
            synchronized (activity) {
                inFlight.addAndGet(-activity.running);
                activity.running = 0;
            }
        }
    }

    /**
     * A request begins on {@code connection}. False, and nothing counted, if the connection is not
     * tracked (a warm-up listener's) or a drain has already decided to close it; only a true
     * start is to be matched by {@link #requestFinished}.
     */
    public boolean requestStarted(C connection) {
        Activity activity = open.get(connection);
        if (activity == null) {
            return false;
        }
        synchronized (activity) {
            if (activity.closing) {
                return false;
            }
            activity.running++;
            inFlight.incrementAndGet();
            return true;
        }
    }

    /**
     * A request that {@link #requestStarted} counted has ended; {@code application} says whether it
     * was the application's (counted in {@link #completed()}) or the worker's own (a health check).
     */
    public void requestFinished(C connection, boolean application) {
        if (application) {
            completed.incrementAndGet();
        }
        Activity activity = open.get(connection);
        if (activity == null) {
            return; // closed meanwhile: closed() already took its requests out of the count
        }
        synchronized (activity) {
            if (activity.running > 0) {
                activity.running--;
                inFlight.decrementAndGet();
            }
            activity.idleSince = System.nanoTime();
        }
    }

    /** Open connections, busy or idle. */
    public int size() {
        return open.size();
    }

    /** Requests running now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Application requests finished so far. */
    public long completed() {
        return completed.get();
    }

    /** Closes the connections with no request running that have been idle for at least {@code idleFor}. */
    public void closeIdle(Duration idleFor) {
        long now = System.nanoTime();
        long grace = idleFor.toNanos();
        open.forEach((connection, activity) -> {
            boolean chosen;
            synchronized (activity) {
                chosen = !activity.closing && activity.running == 0 && now - activity.idleSince >= grace;
                activity.closing |= chosen;
            }
            if (chosen) {
                close.accept(connection);
            }
        });
    }

    /** The end of a drain: closes every connection, busy or not. */
    public void closeAll() {
        open.keySet().forEach(close);
    }

    private static final class Activity {
        int running;
        long idleSince;
        boolean closing;

        Activity(long now) {
            this.idleSince = now;
        }
    }
}
