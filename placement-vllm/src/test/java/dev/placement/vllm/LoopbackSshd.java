package dev.placement.vllm;

import dev.placement.api.NodeSpec;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * An in-process MINA SSHD server on 127.0.0.1 that runs each command with {@code /bin/sh -c} on this machine, for
 * user {@code edge} with one EC key, and the client files that trust it.
 */
final class LoopbackSshd implements AutoCloseable {
    final SshServer server;
    final KeyPair hostKey;
    final KeyPair clientKey;
    final Path clientKeyFile;
    final Path knownHosts;

    private LoopbackSshd(SshServer server, KeyPair hostKey, KeyPair clientKey, Path clientKeyFile, Path knownHosts) {
        this.server = server;
        this.hostKey = hostKey;
        this.clientKey = clientKey;
        this.clientKeyFile = clientKeyFile;
        this.knownHosts = knownHosts;
    }

    /** Starts the server on a free port; its client key and known_hosts file are written to {@code dir}. */
    static LoopbackSshd start(Path dir) throws Exception {
        KeyPair hostKey = ecKey();
        KeyPair clientKey = ecKey();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> "edge".equals(user)
                && KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setCommandFactory((channel, command) ->
                new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel));
        server.start();
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " "
                + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
        return new LoopbackSshd(server, hostKey, clientKey, writeKey(dir, clientKey, "id_ecdsa"), knownHosts);
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    static Path writeKey(Path dir, KeyPair key, String name) throws Exception {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "test", null, out);
        }
        return file;
    }

    /** @return a node at 127.0.0.1 whose {@code ssh.port} label is this server's */
    NodeSpec node(String id) {
        return new NodeSpec(id, "127.0.0.1", TestClusters.T4, 1, Map.of(SshCommandRunner.PORT_LABEL,
                Integer.toString(server.getPort())));
    }

    /** @return a runner for user edge with that key, trusting the hosts in that file */
    static SshCommandRunner runner(Path key, Path hosts) {
        return SshCommandRunner.builder().user("edge").privateKey(key).knownHosts(hosts)
                .connectTimeout(Duration.ofSeconds(5)).authTimeout(Duration.ofSeconds(5)).build();
    }

    /** @return a runner this server accepts */
    SshCommandRunner runner() {
        return runner(clientKeyFile, knownHosts);
    }

    @Override
    public void close() throws Exception {
        server.stop(true);
    }
}
