package dev.wrinklefree.cost.report;

import java.util.Locale;

/** Number formatting for reports. Rounding happens here, and only here. */
public final class Fmt {
    private Fmt() {
    }

    /** USD: two decimals from $0.10 up, else three significant digits ({@code $0.0123}); "n/a" for NaN. */
    public static String usd(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 0.1 || v == 0) {
            return String.format(Locale.ROOT, "$%.2f", v);
        }
        return "$" + sig(v, 3);
    }

    /** A plain number with about {@code digits} significant digits, no exponent for everyday sizes. */
    public static String sig(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e9 || a < 1e-4) {
            return String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
        }
        int intDigits = (int) Math.floor(Math.log10(a)) + 1;
        int decimals = Math.max(0, digits - intDigits);
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /** At most {@code digits} significant digits, trailing zeros dropped: {@code 5}, {@code 0.05}, {@code 153.6}. */
    public static String compact(double v, int digits) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    /** A signed percentage with one decimal: {@code +3.1 %}. */
    public static String pct(double fraction) {
        if (Double.isNaN(fraction)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%+.1f %%", fraction * 100);
    }

    /** A p-value: three significant digits, {@code < 0.001} below that. */
    public static String p(double p) {
        if (Double.isNaN(p)) {
            return "n/a";
        }
        return p < 0.001 ? "< 0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    /** HTML-escapes text. */
    public static String html(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Escapes the characters that break a Markdown table cell. */
    public static String mdCell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    /** Quotes a CSV field when needed (RFC 4180). */
    public static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
