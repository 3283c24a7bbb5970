package dev.wrinklefree.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Where the command line writes: {@code results/} of the checkout (scripts/wrinklefree sets wrinklefree.home), else of the current folder. */
final class Results {
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss").withZone(ZoneOffset.UTC);

    private Results() {
    }

    /**
     * The default results folder. Reads {@code wrinklefree.home} (the repository root, set by
     * {@code scripts/wrinklefree}); without it, {@code ./results}.
     */
    static Path defaultDir() {
        String home = System.getProperty("wrinklefree.home");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).resolve("results").toAbsolutePath().normalize();
    }

    /** A run id from the time and a label: {@code 2026-01-02-030405-bitnet-2b-4t}. */
    static String runId(Instant t, String label) {
        return RUN_ID.format(t) + (label == null || label.isBlank() ? "" : "-" + label.replaceAll("[^A-Za-z0-9._-]", "-"));
    }

    /** {@code p} relative to the current folder when it is inside it, for shorter messages. */
    static String show(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
