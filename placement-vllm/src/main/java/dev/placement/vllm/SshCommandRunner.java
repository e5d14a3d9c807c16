package dev.placement.vllm;

import dev.placement.api.CommandRunner;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/**
 * Runs commands on nodes over SSH with Apache MINA SSHD: public-key authentication, host keys checked
 * against a {@code known_hosts} file (an unknown or changed host key is refused with a message saying which),
 * and timeouts for connecting, authenticating and the command itself. Every argument is single-quoted for the
 * remote POSIX shell, so a node id or model name cannot inject a command.
 *
 * <p>A node may override the user and port with the labels {@code ssh.user} and {@code ssh.port}, and the host
 * its SSH server is reached at with {@code ssh.host} (a management network, when the node's address is the one
 * the pipeline's traffic and the pings between nodes use). Each
 * {@link #run} opens its own session. Thread-safe; {@link #close()} releases the client's threads.
 */
public final class SshCommandRunner implements CommandRunner, AutoCloseable {

    /** Node label that overrides the SSH user. */
    public static final String USER_LABEL = "ssh.user";
    /** Node label that overrides the SSH port. */
    public static final String PORT_LABEL = "ssh.port";
    /** Node label that overrides the host SSH connects to (by default the node's address). */
    public static final String HOST_LABEL = "ssh.host";

    /**
     * Why the host-key check refused a session, kept beside the session rather than in its attributes:
     * MINA clears a session's attributes when it closes, which can happen before the failed authentication
     * reaches us.
     */
    private final Map<ClientSession, String> rejections = new ConcurrentHashMap<>();
    private final SshClient client;
    private final List<KeyPair> identities;
    private final String user;
    private final int port;
    private final Duration connectTimeout;
    private final Duration authTimeout;

    private SshCommandRunner(Builder b) {
        this.user = b.user;
        this.port = b.port;
        this.connectTimeout = b.connectTimeout;
        this.authTimeout = b.authTimeout;
        this.identities = loadKeys(b.privateKeys, b.passphrase);
        this.client = SshClient.setUpDefaultClient();
        // Only what the builder says: no ~/.ssh/config, no default identities, no passwords.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                b.knownHosts) {
            @Override
            protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
                rejections.put(session, "host key of " + remote + " is not in " + b.knownHosts
                        + " (" + KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key)
                        + "); add it after checking the fingerprint, for example with ssh-keyscan");
                return false;
            }

            @Override
            public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote,
                    KnownHostEntry entry, PublicKey expected, PublicKey actual) {
                rejections.put(session, "host key of " + remote + " does not match " + b.knownHosts
                        + ": expected " + KeyUtils.getFingerPrint(expected) + ", got "
                        + KeyUtils.getFingerPrint(actual) + " (the host was reinstalled, or someone is in between)");
                return false;
            }
        });
        client.start();
    }

    /** @return a builder; user, private key and known-hosts file are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * <p>On timeout the channel is closed; a remote command that ignores the hang-up may keep running.
     */
    @Override
    public CommandResult run(NodeSpec node, List<String> command, Duration timeout) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(command, "command");
        Polling.requirePositive(timeout, "timeout");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        String remote = quote(command);
        String login = node.labels().getOrDefault(USER_LABEL, user);
        int p = portOf(node);
        String host = hostOf(node);
        String where = login + "@" + host + ":" + p + " (node '" + node.id() + "')";
        ClientSession session;
        try {
            session = client.connect(login, host, p).verify(connectTimeout).getSession();
        } catch (IOException e) {
            throw new PlacementException("cannot connect to " + where + " within " + connectTimeout.toSeconds()
                    + " s: " + VllmEndpoint.describe(e), e);
        }
        try (session) {
            identities.forEach(session::addPublicKeyIdentity);
            try {
                session.auth().verify(authTimeout);
            } catch (IOException e) {
                String why = rejections.get(session);
                throw new PlacementException(why != null ? "refused " + where + ": " + why
                        : "authentication to " + where + " failed (is the public key in authorized_keys?): "
                                + VllmEndpoint.describe(e), e);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (ChannelExec channel = session.createExecChannel(remote)) {
                channel.setOut(out);
                channel.setErr(err);
                channel.open().verify(authTimeout);
                Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
                if (events.contains(ClientChannelEvent.TIMEOUT)) {
                    channel.close(true);
                    throw new PlacementException("command on " + where + " timed out after " + timeout.toMillis()
                            + " ms: " + abbreviate(command));
                }
                Integer exit = channel.getExitStatus();
                return new CommandResult(exit == null ? -1 : exit, out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new PlacementException("command on " + where + " failed: " + VllmEndpoint.describe(e), e);
        } finally {
            rejections.remove(session);
        }
    }

    /** Stops the SSH client. */
    @Override
    public void close() {
        client.stop();
    }

    private static String hostOf(NodeSpec node) {
        String label = node.labels().get(HOST_LABEL);
        if (label == null) {
            return node.address();
        }
        if (!RemoteValues.ADDRESS.matcher(label).matches()) {
            throw new IllegalArgumentException("node '" + node.id() + "' label " + HOST_LABEL + " '" + label
                    + "' is not a host name or IP address");
        }
        return label;
    }

    private int portOf(NodeSpec node) {
        String label = node.labels().get(PORT_LABEL);
        if (label == null) {
            return port;
        }
        try {
            int p = Integer.parseInt(label);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("node '" + node.id() + "' label " + PORT_LABEL + " '" + label
                + "' is not a port (1 to 65535)");
    }

    /**
     * Quotes an argument vector for a POSIX shell: each argument in single quotes, embedded single quotes as
     * {@code '"'"'}.
     *
     * @param argv the arguments
     * @return the command line
     */
    static String quote(List<String> argv) {
        StringJoiner j = new StringJoiner(" ");
        for (String a : argv) {
            if (a == null || a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("command argument is null or holds a NUL character");
            }
            j.add("'" + a.replace("'", "'\"'\"'") + "'");
        }
        return j.toString();
    }

    private static String abbreviate(List<String> command) {
        String s = String.join(" ", command);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static List<KeyPair> loadKeys(List<Path> files, String passphrase) {
        List<KeyPair> keys = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isReadable(f)) {
                throw new IllegalArgumentException("private key " + f + " does not exist or is not readable");
            }
            FileKeyPairProvider provider = new FileKeyPairProvider(f);
            if (passphrase != null) {
                provider.setPasswordFinder(FilePasswordProvider.of(passphrase));
            }
            try {
                provider.loadKeys(null).forEach(keys::add);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot read private key " + f + " (an OpenSSH or PEM key; "
                        + "encrypted keys need the passphrase): " + VllmEndpoint.describe(e), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no private key could be read from " + files);
        }
        return List.copyOf(keys);
    }

    /** Configures an {@link SshCommandRunner}; not thread-safe. */
    public static final class Builder {
        private String user;
        private final List<Path> privateKeys = new ArrayList<>();
        private String passphrase;
        private Path knownHosts;
        private int port = 22;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration authTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * @param user the login user, for example {@code ubuntu}; nodes may override it with {@code ssh.user}
         * @return this builder
         */
        public Builder user(String user) {
            if (user == null || !user.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("ssh user '" + user + "' is invalid");
            }
            this.user = user;
            return this;
        }

        /**
         * @param file a private key file (OpenSSH or PEM); may be called more than once
         * @return this builder
         */
        public Builder privateKey(Path file) {
            privateKeys.add(Objects.requireNonNull(file, "privateKey"));
            return this;
        }

        /**
         * @param passphrase the passphrase of encrypted keys; never logged
         * @return this builder
         */
        public Builder keyPassphrase(String passphrase) {
            this.passphrase = passphrase;
            return this;
        }

        /**
         * @param file the {@code known_hosts} file host keys are checked against; required (there is no
         *             accept-all mode)
         * @return this builder
         */
        public Builder knownHosts(Path file) {
            this.knownHosts = Objects.requireNonNull(file, "knownHosts");
            return this;
        }

        /**
         * @param port the SSH port; default 22; nodes may override it with {@code ssh.port}
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("ssh port must be 1 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param timeout for the TCP connection and key exchange; default 10 s
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Polling.requirePositive(timeout, "connectTimeout");
            return this;
        }

        /**
         * @param timeout for authentication and opening the channel; default 10 s
         * @return this builder
         */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = Polling.requirePositive(timeout, "authTimeout");
            return this;
        }

        /**
         * @return the runner (started; close it when done)
         * @throws IllegalStateException if the user, a key or the known-hosts file is missing
         * @throws IllegalArgumentException if a key cannot be read
         */
        public SshCommandRunner build() {
            if (user == null || privateKeys.isEmpty() || knownHosts == null) {
                throw new IllegalStateException("SshCommandRunner needs a user, a private key and a known_hosts file");
            }
            return new SshCommandRunner(this);
        }
    }
}
