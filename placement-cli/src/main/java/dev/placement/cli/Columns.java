package dev.placement.cli;

import java.util.List;
import java.util.Locale;

/** Plain-text columns: each padded to its widest cell, two spaces apart, no trailing spaces. Stateless. */
final class Columns {
    private Columns() {
    }

    /**
     * @param rows the header first, then one array per row, each of the same length
     * @return the lines, each ending in a newline
     */
    static String render(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%-" + widths[c] + "s", row[c]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
