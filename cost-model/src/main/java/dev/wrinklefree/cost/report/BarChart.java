package dev.wrinklefree.cost.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A horizontal grouped bar chart as inline SVG: one group per category, one bar per series. No scripts,
 * no external files, so the HTML report stays one self-contained file. Negative values (regression
 * deltas) grow left of a zero line.
 */
final class BarChart {
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final int BAR = 14;
    private static final int GAP = 10;
    private static final int LABEL_W = 260;
    private static final int PLOT_W = 420;

    private record Bar(String category, String series, double value, String text) {
    }

    private static final int LABEL_CHARS = 40;

    private final String title;
    private final String unit;
    private final List<Bar> bars = new ArrayList<>();
    private final java.util.Map<String, String> seriesColors = new java.util.HashMap<>();

    /** Fixes the color of a series (otherwise colors are assigned in order). */
    BarChart color(String series, String cssColor) {
        seriesColors.put(series, cssColor);
        return this;
    }

    private String colorOf(List<String> series, String s) {
        return seriesColors.getOrDefault(s, COLORS[series.indexOf(s) % COLORS.length]);
    }

    BarChart(String title, String unit) {
        this.title = title;
        this.unit = unit;
    }

    /** Adds a bar; {@code text} is printed beside it. Non-finite values are skipped. */
    BarChart add(String category, String series, double value, String text) {
        if (Double.isFinite(value)) {
            bars.add(new Bar(category, series, value, text));
        }
        return this;
    }

    boolean isEmpty() {
        return bars.isEmpty();
    }

    String svg() {
        Set<String> cats = new LinkedHashSet<>();
        Set<String> series = new LinkedHashSet<>();
        for (Bar b : bars) {
            cats.add(b.category());
            series.add(b.series());
        }
        List<String> seriesList = new ArrayList<>(series);
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(1);
        double min = Math.min(0, bars.stream().mapToDouble(Bar::value).min().orElse(0));
        max = Math.max(max, 0);
        double span = max - min == 0 ? 1 : max - min;
        double zeroX = LABEL_W + PLOT_W * (-min / span);
        int legendH = 18 * ((seriesList.size() + 3) / 4);
        int y = 30;
        StringBuilder body = new StringBuilder();
        for (String c : cats) {
            List<Bar> g = bars.stream().filter(b -> b.category().equals(c)).toList();
            int groupH = g.size() * BAR;
            String shown = c.length() > LABEL_CHARS ? "\u2026" + c.substring(c.length() - LABEL_CHARS + 1) : c;
            body.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\"><title>%s</title>%s</text>%n",
                    LABEL_W - 8, y + groupH / 2 + 4, Fmt.html(c), Fmt.html(shown)));
            for (Bar b : g) {
                double w = PLOT_W * Math.abs(b.value()) / span;
                double x = b.value() >= 0 ? zeroX : zeroX - w;
                String color = colorOf(seriesList, b.series());
                body.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>%n",
                        x, y, Math.max(w, 0.5), BAR - 2, color, Fmt.html(b.series()), Fmt.html(b.text())));
                // Values sit right of the bar, or right of the zero line for negative bars, clear of the labels.
                double tx = b.value() >= 0 ? x + w + 4 : zeroX + 4;
                body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"val\">%s</text>%n",
                        tx, y + BAR - 4, Fmt.html(b.text())));
                y += BAR;
            }
            y += GAP;
        }
        int height = y + legendH + 10;
        int width = LABEL_W + PLOT_W + 120;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n",
                width, height, width, height, Fmt.html(title)));
        s.append("<style>.lbl{font:12px sans-serif;fill:#222}.val{font:11px sans-serif;fill:#444}.ttl{font:bold 13px sans-serif}</style>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"16\" class=\"ttl\">%s (%s)</text>%n", Fmt.html(title), Fmt.html(unit)));
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"24\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>%n", zeroX, zeroX, y - GAP));
        s.append(body);
        int ly = y + 4;
        for (int i = 0; i < seriesList.size(); i++) {
            int lx = 10 + (i % 4) * 200;
            int row = ly + (i / 4) * 18;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"lbl\">%s</text>%n",
                    lx, row, colorOf(seriesList, seriesList.get(i)), lx + 16, row + 11, Fmt.html(seriesList.get(i))));
        }
        return s.append("</svg>\n").toString();
    }
}
