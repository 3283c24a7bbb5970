package dev.wrinklefree.cost.example;

import dev.wrinklefree.cost.CostEstimate;
import dev.wrinklefree.cost.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryExampleTest {
    @TempDir
    Path tmp;

    @Test
    void exampleRuns() {
        CostEstimate e = LibraryExample.run(Fixtures.jmh("decode-thrpt.json"), tmp);
        assertEquals(0.7198, e.costPerMillionTokensUsd(), 1e-4);
        assertTrue(Files.exists(tmp.resolve("raw/my-run.json")));
        assertTrue(Files.exists(tmp.resolve("reports/my-run.html")));
    }

    @Test
    void readmeQuotesTheExampleExactly() throws Exception {
        Path source = Path.of("src/test/java/dev/wrinklefree/cost/example/LibraryExample.java");
        Path readme = Path.of("..", "README.md");
        List<String> src = Files.readAllLines(source);
        int begin = indexOf(src, "// README:begin");
        int end = indexOf(src, "// README:end");
        String region = dedent(src.subList(begin + 1, end));
        String md = Files.readString(readme);
        assertTrue(md.contains("```java\n" + region + "```\n"),
                "README.md's 'Use as a library' block must equal the region between the README markers of " + source + ":\n" + region);
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("marker " + marker + " missing");
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n")) + "\n";
    }

}
