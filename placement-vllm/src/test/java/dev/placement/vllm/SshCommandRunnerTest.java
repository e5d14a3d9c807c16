package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.CommandRunner.CommandResult;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against an in-process MINA SSHD server on 127.0.0.1 that runs commands with /bin/sh -c ({@link LoopbackSshd}). */
class SshCommandRunnerTest {

    @TempDir
    static Path dir;
    static LoopbackSshd sshd;
    static SshServer server;
    static KeyPair hostKey;
    static Path clientKeyFile;
    static Path knownHosts;
    static NodeSpec node;

    @BeforeAll
    static void startServer() throws Exception {
        sshd = LoopbackSshd.start(dir);
        server = sshd.server;
        hostKey = sshd.hostKey;
        clientKeyFile = sshd.clientKeyFile;
        knownHosts = sshd.knownHosts;
        node = sshd.node("node0");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    private static SshCommandRunner runner(Path key, Path hosts) {
        return LoopbackSshd.runner(key, hosts);
    }

    @Test
    void runsACommandAndReturnsItsOutputAndExitCode() {
        try (SshCommandRunner ssh = runner(clientKeyFile, knownHosts)) {
            CommandResult r = ssh.run(node, List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                    Duration.ofSeconds(10));

            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("out\n");
            assertThat(r.stderr()).isEqualTo("err\n");
        }
    }

    @Test
    void theSshHostLabelIsWhereSshConnectsWhileTheAddressStaysTheNodes() {
        // The node's own address is never contacted: a name that resolves nowhere (RFC 6761 .invalid).
        NodeSpec managed = new NodeSpec("node0", "node0.invalid", TestClusters.T4, 1, Map.of(
                SshCommandRunner.HOST_LABEL, "127.0.0.1", SshCommandRunner.PORT_LABEL,
                Integer.toString(server.getPort())));
        try (SshCommandRunner ssh = runner(clientKeyFile, knownHosts)) {
            assertThat(ssh.run(managed, List.of("echo", "reached"), Duration.ofSeconds(10)).stdout())
                    .isEqualTo("reached\n");
        }
        NodeSpec bad = new NodeSpec("node1", "10.0.0.11", TestClusters.T4, 1, Map.of(SshCommandRunner.HOST_LABEL,
                "-oProxyCommand=x"));
        try (SshCommandRunner ssh = runner(clientKeyFile, knownHosts)) {
            assertThatThrownBy(() -> ssh.run(bad, List.of("true"), Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("node 'node1' label ssh.host '-oProxyCommand=x' is not a host name or IP address");
        }
    }

    @Test
    void everyArgumentReachesTheRemoteSideAsDataNotShellText() throws Exception {
        Path marker = dir.resolve("pwned");
        try (SshCommandRunner ssh = runner(clientKeyFile, knownHosts)) {
            CommandResult r = ssh.run(node, List.of("printf", "%s|", "a b", "$(touch " + marker + ")",
                    "it's;touch " + marker, "`id`"), Duration.ofSeconds(10));

            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).isEqualTo("a b|$(touch " + marker + ")|it's;touch " + marker + "|`id`|");
            assertThat(marker).doesNotExist();
        }
    }

    @Test
    void wrongKeyFailsAuthenticationWithAClearMessage() throws Exception {
        Path stranger = LoopbackSshd.writeKey(dir, LoopbackSshd.ecKey(), "id_stranger");
        try (SshCommandRunner ssh = runner(stranger, knownHosts)) {
            assertThatThrownBy(() -> ssh.run(node, List.of("true"), Duration.ofSeconds(5)))
                    .isInstanceOf(PlacementException.class)
                    .hasMessageContaining("authentication to edge@127.0.0.1")
                    .hasMessageContaining("authorized_keys");
        }
    }

    @Test
    void unknownHostKeyIsRefusedNamingTheKnownHostsFile() throws Exception {
        Path empty = dir.resolve("known_hosts_empty");
        Files.writeString(empty, "");
        try (SshCommandRunner ssh = runner(clientKeyFile, empty)) {
            assertThatThrownBy(() -> ssh.run(node, List.of("true"), Duration.ofSeconds(5)))
                    .isInstanceOf(PlacementException.class)
                    .hasMessageContaining("is not in " + empty)
                    .hasMessageContaining(KeyUtils.getFingerPrint(hostKey.getPublic()));
        }
    }

    @Test
    void changedHostKeyIsRefusedAsAMismatch() throws Exception {
        Path other = dir.resolve("known_hosts_other");
        Files.writeString(other, "[127.0.0.1]:" + server.getPort() + " "
                + PublicKeyEntry.toString(LoopbackSshd.ecKey().getPublic()) + "\n");
        try (SshCommandRunner ssh = runner(clientKeyFile, other)) {
            assertThatThrownBy(() -> ssh.run(node, List.of("true"), Duration.ofSeconds(5)))
                    .isInstanceOf(PlacementException.class)
                    .hasMessageContaining("does not match")
                    .hasMessageContaining(KeyUtils.getFingerPrint(hostKey.getPublic()));
        }
    }

    @Test
    void commandThatOutlivesItsTimeoutFails() {
        try (SshCommandRunner ssh = runner(clientKeyFile, knownHosts)) {
            assertThatThrownBy(() -> ssh.run(node, List.of("sleep", "5"), Duration.ofMillis(300)))
                    .isInstanceOf(PlacementException.class).hasMessageContaining("timed out after 300 ms");
        }
    }

    @Test
    void closedPortIsAConnectionFailure() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        NodeSpec gone = new NodeSpec("node9", "127.0.0.1", TestClusters.T4, 1, Map.of("ssh.port",
                Integer.toString(closed)));
        try (SshCommandRunner ssh = runner(clientKeyFile, knownHosts)) {
            assertThatThrownBy(() -> ssh.run(gone, List.of("true"), Duration.ofSeconds(5)))
                    .isInstanceOf(PlacementException.class).hasMessageContaining("cannot connect to edge@127.0.0.1");
        }
    }

    @Test
    void quotingEscapesSingleQuotes() {
        assertThat(SshCommandRunner.quote(List.of("echo", "it's", "a b"))).isEqualTo("'echo' 'it'\"'\"'s' 'a b'");
    }
}
