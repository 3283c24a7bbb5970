package dev.wrinklefree.cost.report;

import dev.wrinklefree.cost.io.AtomicFiles;

import java.nio.file.Path;
import java.util.List;

/** Builds one report as Markdown and as a self-contained HTML page at once, so the two never disagree. */
final class Doc {
    private final StringBuilder md = new StringBuilder();
    private final StringBuilder html = new StringBuilder();
    private final String title;

    Doc(String title) {
        this.title = title;
        md.append("# ").append(title).append("\n\n");
        html.append("<h1>").append(Fmt.html(title)).append("</h1>\n");
    }

    Doc h2(String text) {
        md.append("## ").append(text).append("\n\n");
        html.append("<h2>").append(Fmt.html(text)).append("</h2>\n");
        return this;
    }

    Doc p(String text) {
        md.append(text).append("\n\n");
        html.append("<p>").append(Fmt.html(text)).append("</p>\n");
        return this;
    }

    Doc bullets(List<String> items) {
        if (items.isEmpty()) {
            return this;
        }
        html.append("<ul>\n");
        for (String i : items) {
            md.append("- ").append(i).append('\n');
            html.append("<li>").append(Fmt.html(i)).append("</li>\n");
        }
        md.append('\n');
        html.append("</ul>\n");
        return this;
    }

    Doc table(Table t) {
        md.append(t.markdown()).append('\n');
        html.append(t.html());
        return this;
    }

    /** A chart: inline SVG in HTML; Markdown gets nothing (the tables carry the same numbers). */
    Doc chart(BarChart c) {
        if (!c.isEmpty()) {
            html.append("<figure>").append(c.svg()).append("</figure>\n");
        }
        return this;
    }

    String markdown() {
        return md.toString();
    }

    String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + Fmt.html(title) + "</title>\n"
                + "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
                + "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}"
                + "th{background:#f3f3f3}td{vertical-align:top}figure{margin:1em 0}h2{border-bottom:1px solid #ddd;padding-bottom:3px}</style>\n"
                + "</head>\n<body>\n" + html + "</body>\n</html>\n";
    }

    /**
     * Writes {@code <dir>/<baseName>.md}, {@code .html} and {@code .csv}, each atomically, all rendered
     * before the first write.
     *
     * @return the three paths, in that order
     */
    static List<Path> writeAll(Path dir, String baseName, String md, String html, String csv) {
        List<Path> paths = List.of(dir.resolve(baseName + ".md"), dir.resolve(baseName + ".html"), dir.resolve(baseName + ".csv"));
        AtomicFiles.writeString(paths.get(0), md);
        AtomicFiles.writeString(paths.get(1), html);
        AtomicFiles.writeString(paths.get(2), csv);
        return paths;
    }
}
