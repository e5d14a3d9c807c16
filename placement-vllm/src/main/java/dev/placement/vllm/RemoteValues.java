package dev.placement.vllm;

import java.util.regex.Pattern;

/**
 * Checks of the values that end up in a remote command line or a URI (node addresses and paths), so that a node
 * address or a path can be passed as data and never be read as an option or shell text.
 */
final class RemoteValues {
    /** A host name or an IP address (v4, or v6 without brackets): letters, digits, '.', ':' and '-'. */
    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private RemoteValues() {
    }

    static String requireAddress(String address, String nodeId) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("node '" + nodeId + "' address '" + address
                    + "' is not a host name or IP address (letters, digits, '.', ':' and '-' only)");
        }
        return address;
    }

    static String requireAbsolutePath(String path, String field) {
        if (path == null || !VllmOptions.ABSOLUTE_PATH.matcher(path).matches() || path.contains("/../")
                || path.endsWith("/..")) {
            throw new IllegalArgumentException(field + " '" + path + "' must be an absolute path of letters, "
                    + "digits and . _ + @ = - (no spaces, '..' or shell metacharacters)");
        }
        return path;
    }

    static boolean isIpLiteral(String address) {
        return IPV4.matcher(address).matches() || address.contains(":");
    }

    static String hostForUri(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
