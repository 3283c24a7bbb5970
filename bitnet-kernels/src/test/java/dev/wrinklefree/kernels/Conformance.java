package dev.wrinklefree.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads the golden vectors copied from {@code ../shared/conformance} into test resources. Extra cases in
 * the same format can be added with {@code -Dwrinklefree.conformance.extra=DIR} (a directory holding
 * {@code ggml/} and {@code bitnet/} like the shared one): they are checked the same way.
 */
public final class Conformance {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Conformance() {
    }

    /** Every case file of a kind ("ggml" or "bitnet"), bundled and extra. */
    public static List<Path> cases(String kind, String prefix) {
        try {
            URL url = Conformance.class.getResource("/conformance/" + kind);
            Stream<Path> bundled = Files.list(Path.of(url.toURI()));
            Stream<Path> extra = Stream.empty();
            String dir = System.getProperty("wrinklefree.conformance.extra");
            if (dir != null && !dir.isBlank() && Files.isDirectory(Path.of(dir, kind))) {
                extra = Files.list(Path.of(dir, kind));
            }
            return Stream.concat(bundled, extra)
                    .filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode read(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] floats(JsonNode arr) {
        float[] out = new float[arr.size()];
        for (int i = 0; i < out.length; i++) {
            // %.9g text parsed as double then rounded to float gives the exact float32 back.
            out[i] = (float) arr.get(i).asDouble();
        }
        return out;
    }

    public static byte[] hex(JsonNode s) {
        return HexFormat.of().parseHex(s.asText());
    }
}
