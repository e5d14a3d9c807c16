package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement run --dry-run} on a "cluster" of three nodes: Ray's view of it from a loopback fake of the
 * dashboard, the links measured by {@code ping} between every pair of nodes over real SSH (one in-process MINA
 * server per node on 127.0.0.1, reached through each node's {@code ssh.host} label). Each server answers a ping
 * with the RTT of a link table that slows node2's links after the third round, as {@code tc} would; nothing is
 * sent to the nodes' own addresses, and nothing is launched.
 */
class RunDryRunTest {
    private static final List<String> ADDRESSES = List.of("10.0.0.10", "10.0.0.11", "10.0.0.12");
    private static final int FAST_ROUNDS = 3;

    @TempDir
    Path dir;

    private final List<SshServer> servers = new ArrayList<>();
    private final Map<String, AtomicInteger> pings = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (SshServer s : servers) {
            s.stop(true);
        }
    }

    /** The RTT in ms the link table gives a ping from one node to an address, in its round (from 1). */
    static double rtt(int from, int to, int round) {
        int a = Math.min(from, to);
        int b = Math.max(from, to);
        if (b < 2) {
            return 2.2;                        // node0-node1
        }
        if (round <= FAST_ROUNDS) {
            return 0.3;                        // node2's links, before they slow down
        }
        return a == 0 ? 12.2 : 10.2;           // the research's [2,10] step
    }

    @Test
    void decidesFromTheLatenciesItMeasuresOverSshAndLaunchesNothing() throws Exception {
        KeyPair hostKey = ecKey();
        KeyPair clientKey = ecKey();
        Path key = dir.resolve("id_ecdsa");
        try (OutputStream out = Files.newOutputStream(key)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "test", null, out);
        }
        StringBuilder knownHosts = new StringBuilder();
        StringBuilder cluster = new StringBuilder("nodes:\n");
        for (int i = 0; i < 3; i++) {
            SshServer server = pingServer(i, hostKey, clientKey);
            servers.add(server);
            knownHosts.append("[127.0.0.1]:").append(server.getPort()).append(' ')
                    .append(PublicKeyEntry.toString(hostKey.getPublic())).append('\n');
            cluster.append("  - {id: node").append(i).append(", address: ").append(ADDRESSES.get(i))
                    .append(", gpu: T4, labels: {ssh.host: 127.0.0.1, ssh.port: '").append(server.getPort())
                    .append("'}}\n");
        }
        Path hosts = Files.writeString(dir.resolve("known_hosts"), knownHosts);
        Path clusterFile = Files.writeString(dir.resolve("cluster.yaml"), cluster);

        try (FakeRayDashboard ray = new FakeRayDashboard(dir.resolve("ray"), Map.of())) {
            ray.aliveGpuNodes(ADDRESSES.toArray(String[]::new));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = CapturingCli.writingTo(out, err).execute("run", "--cluster", clusterFile.toString(),
                    "--model", "tiiuae/Falcon3-10B-Base", "--ray-address", ray.baseUrl(), "--probe", "ssh",
                    "--ssh-user", "edge", "--ssh-key", key.toString(), "--known-hosts", hosts.toString(),
                    "--dry-run", "--tick", "0.1", "--max-ticks", "10", "--cooldown", "0",
                    "--restart-estimate", "1", "--out", dir.resolve("out").toString());

            assertThat(exit).as(out + "\n" + err).isZero();
            assertThat(ray.submitted()).as("a dry run submits no job").isEmpty();
            assertThat(ray.nodeListings()).as("Ray is asked for the nodes at every tick").isGreaterThanOrEqualTo(10);

            List<String> lines = out.toString().lines().toList();
            assertThat(lines).as(out.toString()).hasSizeGreaterThanOrEqualTo(2);
            Placed first = Placed.of(lines.get(0));
            assertThat(lines.get(0)).contains("first_start: would reconfigure to ");
            assertThat(first.nodes()).as("while node2's links are fast it is used").contains("node2");
            first.assertRttsFromTheTable(0);

            String later = lines.stream().skip(1).filter(l -> l.contains("link_changed")).findFirst().orElseThrow(
                    () -> new AssertionError("no decision on the slowed links: " + out));
            Placed placed = Placed.of(later);
            assertThat(later).contains("would reconfigure to ");
            assertThat(placed.nodes()).as("node2 behind its slow links is left out").containsExactly("node0",
                    "node1");
            assertThat(later).contains("node0-node1 2.2 ms").contains("node2 was left out");
        }
        assertThat(pings.values().stream().mapToInt(AtomicInteger::get).min().orElse(0))
                .as("every ordered pair was pinged at every tick").isGreaterThanOrEqualTo(10);
    }

    /** A decision line's placement and the RTTs it printed for the links the placement crosses. */
    private record Placed(List<String> nodes, Map<String, Double> rtts) {
        private static final Pattern PLACEMENT = Pattern.compile("reconfigure to (\\S+) \\(([^)]*)\\)");
        private static final Pattern LINK = Pattern.compile("(node\\d)-(node\\d) ([0-9.]+) ms");

        static Placed of(String line) {
            Matcher m = PLACEMENT.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            List<String> nodes = new ArrayList<>();
            for (String stage : m.group(1).split(",")) {
                nodes.add(stage.substring(0, stage.indexOf(':')));
            }
            Map<String, Double> rtts = new java.util.LinkedHashMap<>();
            Matcher l = LINK.matcher(m.group(2));
            while (l.find()) {
                rtts.put(l.group(1) + "-" + l.group(2), Double.parseDouble(l.group(3)));
            }
            assertThat(rtts).as(line).hasSize(nodes.size() - 1);
            return new Placed(nodes, rtts);
        }

        /** Each printed RTT is the table's for that link in the given phase (0: fast, else slow). */
        void assertRttsFromTheTable(int phase) {
            rtts.forEach((link, rtt) -> {
                int a = link.charAt(4) - '0';
                int b = link.charAt(10) - '0';
                assertThat(rtt).as(link).isEqualTo(rtt(a, b, phase == 0 ? 1 : FAST_ROUNDS + 1));
            });
        }
    }

    /** An SSH server for node {@code from} that answers {@code ping ... ADDRESS} from the link table. */
    private SshServer pingServer(int from, KeyPair hostKey, KeyPair clientKey) throws Exception {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, k, session) -> "edge".equals(user)
                && KeyUtils.compareKeys(k, clientKey.getPublic()));
        server.setCommandFactory((channel, command) -> {
            String[] words = command.replace("'", "").trim().split("\\s+");
            int to = ADDRESSES.indexOf(words[words.length - 1]);
            if (!words[0].equals("ping") || to < 0) {
                return new ProcessShellFactory("false", "false").createShell(channel);
            }
            int round = pings.computeIfAbsent(from + ">" + to, k -> new AtomicInteger()).incrementAndGet();
            return new ProcessShellFactory("printf", "printf", "%s", pingOutput(ADDRESSES.get(to),
                    rtt(from, to, round))).createShell(channel);
        });
        server.start();
        return server;
    }

    /** What iputils ping prints for three replies of one RTT. */
    static String pingOutput(String address, double rttMillis) {
        StringBuilder b = new StringBuilder("PING " + address + " (" + address + ") 56(84) bytes of data.\n");
        for (int seq = 1; seq <= 3; seq++) {
            b.append(String.format(Locale.ROOT, "64 bytes from %s: icmp_seq=%d ttl=64 time=%.1f ms%n", address,
                    seq, rttMillis));
        }
        return b.append(String.format(Locale.ROOT, "%n--- %s ping statistics ---%n3 packets transmitted, 3 received,"
                + " 0%% packet loss, time 402ms%nrtt min/avg/max/mdev = %.1f/%.1f/%.1f/0.0 ms%n", address,
                rttMillis, rttMillis, rttMillis)).toString();
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }
}
