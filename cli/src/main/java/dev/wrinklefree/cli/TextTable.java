package dev.wrinklefree.cli;

import java.io.PrintWriter;
import java.util.List;

/** Prints rows as aligned columns; the first row is the header. */
final class TextTable {
    private TextTable() {
    }

    static void print(PrintWriter out, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int cols = rows.getFirst().length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (int k = 0; k < rows.size(); k++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                b.append(String.format("%-" + w[i] + "s", rows.get(k)[i]));
                if (i < cols - 1) {
                    b.append("  ");
                }
            }
            out.println(b.toString().stripTrailing());
            if (k == 0) {
                StringBuilder u = new StringBuilder();
                for (int i = 0; i < cols; i++) {
                    u.append("-".repeat(w[i])).append(i < cols - 1 ? "  " : "");
                }
                out.println(u);
            }
        }
    }
}
