package dev.placement.probe;

import java.util.regex.Pattern;

/**
 * What a node address may look like when a probe hands it to a program on a command line ({@code ping},
 * {@code iperf3 -c}): a host name, an IPv4 address, or an IPv6 address with an optional zone
 * ({@code fe80::1%eth0}). The first character is never {@code -}, so an address cannot be read as an option,
 * and nothing a shell would interpret can appear.
 */
final class HostAddress {
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9:][A-Za-z0-9.:%_-]{0,252}");

    private HostAddress() {
    }

    /**
     * @param address the address
     * @param program the program it is for, named in the message
     * @return the address
     * @throws IllegalArgumentException if it is not a host name or IP address
     */
    static String require(String address, String program) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("address '" + address + "' is not a host name or IP address that "
                    + "can be given to " + program + ": use A-Z a-z 0-9 . : % _ -, starting with a letter, digit "
                    + "or colon");
        }
        return address;
    }
}
