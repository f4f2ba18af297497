package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The multi-host picture: a real HAProxy, configured from examples/haproxy, in front of three
 * Baton nodes (hello, 2 workers each, --health-path and --health-delay as in the example), with
 * load through HAProxy while (a) examples/fleet/rolling-deploy.sh upgrades every node in turn,
 * (b) one node is stopped and started again, (c) one node's master is killed with SIGKILL.
 * Prints the figures the README's Fleet section shows.
 */
// Once, on the default JDK (.ci/run): HAProxy's view of a fleet of masters, which no JDK changes.
@Tag(Sandbox.ONCE)
class FleetTest {
    private static final Path ROLLING_DEPLOY = Sandbox.HOME.resolve("examples/fleet/rolling-deploy.sh");
    /** The example's: more than HAProxy's `inter 2s fall 2` takes to see a node fail its checks. */
    private static final int HEALTH_DELAY_S = 6;
    private static final Duration STEP = Duration.ofSeconds(60);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<String> figures = new ArrayList<>();
    private HaProxy haProxy;

    /** One host of the fleet: a Baton master on a port of its own, as HAProxy knows it. */
    private final class Node {
        final String name;
        final int port;
        final HelloConfig config;
        Sandbox.Run run;

        Node(String name, int port) throws IOException {
            this.name = name;
            this.port = port;
            Path dir = Files.createDirectories(sandbox.dir().resolve(name));
            this.config = new HelloConfig(dir, "127.0.0.1:" + port, App.HELLO);
        }

        void deploy(String version) throws IOException {
            config.write(version, 2, "health-path = /health", "health-delay = " + HEALTH_DELAY_S);
        }

        void start() throws IOException {
            run = config.start(sandbox);
        }

        int master() throws IOException {
            return Integer.parseInt(Files.readString(config.pidFile).trim());
        }

        String upgradeCommand() {
            return Sandbox.LAUNCHER + " upgrade --pid " + config.pidFile + " --wait --timeout 50";
        }
    }

    @BeforeAll
    static void haProxyInstalled() throws Exception {
        String missing = HaProxy.installIfMissing();
        if (missing != null) {
            System.err.println("\n!!!!!!!! FleetTest SKIPPED: " + missing + " !!!!!!!!\n");
        }
        Assumptions.assumeTrue(missing == null, missing);
    }

    @Test
    void haProxyInFrontOfThreeNodes() throws Exception {
        for (String name : List.of("app1", "app2", "app3")) {
            Node node = new Node(name, freePort());
            node.deploy("1");
            node.start();
            nodes.put(name, node);
        }
        for (Node node : nodes.values()) {
            node.run.awaitReady();
        }
        haProxy = HaProxy.start(sandbox, freePort(), freePort(),
                nodes.values().stream().collect(Collectors.toMap(n -> n.name, n -> n.port, (a, b) -> a, TreeMap::new)));
        awaitState("all three nodes UP", STEP, states -> nodes.keySet().stream().allMatch(n -> "UP".equals(states.get(n))));
        everyNodeServesThroughHaProxy();

        rollingUpgrade();
        nodeOutAndBack(nodes.get("app2"));
        masterKilled(nodes.get("app3"));

        System.out.println("\nFleet figures (HAProxy " + haProxyVersion() + ", 3 nodes x 2 workers, 2 new-connection + 2 "
                + "keep-alive clients through HAProxy):\n" + String.join("\n", figures) + "\n");
    }

    private void everyNodeServesThroughHaProxy() throws Exception {
        Map<Integer, String> nodeOfWorker = new TreeMap<>();
        for (Node node : nodes.values()) {
            Processes.workers(node.master()).forEach(pid -> nodeOfWorker.put(pid, node.name));
        }
        Set<String> served = new HashSet<>();
        for (int i = 0; i < 300 && served.size() < nodes.size(); i++) {
            Http.Response response = Http.get(haProxy.port, "/");
            assertEquals(200, response.status(), response.body());
            served.add(nodeOfWorker.get(response.pid()));
        }
        assertEquals(nodes.keySet(), served, "nodes whose workers answered through HAProxy");
    }

    /** (a) A deploy across hosts: the new release on every node, then one `baton upgrade --wait` after another. */
    private void rollingUpgrade() throws Exception {
        for (Node node : nodes.values()) {
            node.deploy("2");
        }
        List<String> command = new ArrayList<>(List.of("bash", ROLLING_DEPLOY.toString(), "--"));
        nodes.values().forEach(node -> command.add(node.upgradeCommand()));
        try (Load load = startLoad()) {
            long started = System.nanoTime();
            Sandbox.Run deploy = sandbox.launch(Map.of(), command);
            int exit = deploy.awaitExit(Duration.ofMinutes(3));
            long took = millisSince(started);
            assertEquals(0, exit, deploy.log());
            awaitRequests(load, 200);
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests during the rolling upgrade");
            assertEquals("2", load.lastVersion());
            assertTrue(load.versions().containsKey("1") && load.versions().containsKey("2"), "versions served: " + load.versions());
            figures.add(String.format("(a) rolling upgrade of 3 nodes with rolling-deploy.sh (baton upgrade --wait each): "
                    + "%d ms; %d requests, %d failed; per node: %s", took, load.ok(), load.failures().size(),
                    deploy.log().lines().filter(l -> l.contains("upgraded in")).map(l -> l.replaceAll(".*upgraded in ", ""))
                            .collect(Collectors.joining(", "))));
        }
    }

    /** (b) Maintenance on one host: `baton stop` (503 on /health for --health-delay, then drain), and back. */
    private void nodeOutAndBack(Node node) throws Exception {
        try (Load load = startLoad()) {
            int master = node.master();
            Sandbox.Run stop = sandbox.start(List.of("stop", "--pid", node.config.pidFile.toString()));
            // Timed from the master's taking the request, not from the start of the command's JVM.
            node.run.awaitLog("stop request: stopping gracefully; /health reports 503", STEP);
            long started = System.nanoTime();
            awaitState(node.name + " DOWN", STEP, states -> "DOWN".equals(states.get(node.name)));
            long down = millisSince(started);
            Processes.awaitGone(master, STEP);
            long gone = millisSince(started);
            assertEquals(0, stop.awaitExit(STEP), stop.log());
            assertTrue(down < gone, "HAProxy took " + node.name + " out (" + down + " ms) before it stopped serving (" + gone + " ms)");

            long restarted = System.nanoTime();
            node.start();
            node.run.awaitReady();
            long ready = millisSince(restarted);
            awaitState(node.name + " UP again", STEP, states -> "UP".equals(states.get(node.name)));
            long up = millisSince(restarted);
            awaitRequests(load, 200);
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests while " + node.name + " went out and came back");
            figures.add(String.format("(b) %s out with baton stop (--health-delay %d s) and back: HAProxy marked it DOWN "
                    + "%d ms after the master took the stop request, its master exited at %d ms; restarted, ready in %d ms, UP in HAProxy at %d ms; "
                    + "%d requests, %d failed", node.name, HEALTH_DELAY_S, down, gone, ready, up, load.ok(), load.failures().size()));
        }
    }

    /** (c) A host dies badly: its master gets SIGKILL; its orphaned workers drain and exit on their own. */
    private void masterKilled(Node node) throws Exception {
        try (Load load = startLoad()) {
            awaitRequests(load, 200);
            int master = node.master();
            List<Integer> workers = Processes.workers(master);
            String before = haProxy.retries(node.name);
            long okBefore = load.ok();
            long killed = System.nanoTime();
            Processes.signal(master, "KILL");
            Poll.until("workers of the killed master gone", STEP, () -> workers.stream().noneMatch(Processes::alive));
            long workersGone = millisSince(killed);
            awaitState(node.name + " DOWN", STEP, states -> "DOWN".equals(states.get(node.name)));
            long down = millisSince(killed);
            // The fleet serves on without it (this waits for as much, or fails).
            awaitRequests(load, load.ok() + 200);
            load.close();
            List<String> failures = load.failures();
            Map<String, Long> kinds = failures.stream().collect(Collectors.groupingBy(
                    f -> f.replaceAll("(?s)^(status \\d+).*", "$1"), TreeMap::new, Collectors.counting()));
            figures.add(String.format("(c) %s's master killed (SIGKILL): its workers drained and exited %d ms later; "
                    + "HAProxy marked it DOWN at %d ms; %d requests (%d after the kill), %d failed%s; HAProxy %s (before: %s)",
                    node.name, workersGone, down, load.ok(), load.ok() - okBefore, failures.size(),
                    kinds.isEmpty() ? "" : " " + kinds, haProxy.retries(node.name), before));
        }
    }

    private Load startLoad() {
        return new Load(haProxy.port, 2, 2, Duration.ofMinutes(3), 2_000_000);
    }

    private static void awaitRequests(Load load, long count) {
        Poll.until(count + " successful requests (failures so far: " + load.failures() + ")", STEP, () -> load.ok() >= count);
    }

    private void awaitState(String what, Duration within, Predicate<Map<String, String>> condition) {
        Poll.until(what + " in HAProxy", within, () -> {
            Map<String, String> states = haProxy.states();
            return states != null && condition.test(states);
        });
    }

    private String haProxyVersion() throws IOException, InterruptedException {
        Process version = new ProcessBuilder("haproxy", "-v").redirectErrorStream(true).start();
        String first = new String(version.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
        version.waitFor();
        return first.replaceAll(".*version (\\S+).*", "$1");
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
