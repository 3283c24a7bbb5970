package dev.wrinklefree.cost.report;

import java.util.ArrayList;
import java.util.List;

/** A table of already formatted cells, rendered as Markdown or HTML. */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    Table row(List<String> cells) {
        return row(cells.toArray(String[]::new));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append('|');
        for (String h : headers) {
            b.append(' ').append(Fmt.mdCell(h)).append(" |");
        }
        b.append("\n|");
        for (int i = 0; i < headers.size(); i++) {
            b.append("---|");
        }
        b.append('\n');
        for (List<String> r : rows) {
            b.append('|');
            for (String c : r) {
                b.append(' ').append(Fmt.mdCell(c)).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    String html() {
        StringBuilder b = new StringBuilder("<table>\n<thead><tr>");
        for (String h : headers) {
            b.append("<th>").append(Fmt.html(h)).append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (List<String> r : rows) {
            b.append("<tr>");
            for (String c : r) {
                b.append("<td>").append(Fmt.html(c)).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</tbody></table>\n").toString();
    }
}
