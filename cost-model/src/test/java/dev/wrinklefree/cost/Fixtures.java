package dev.wrinklefree.cost;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of the test resources (real JMH outputs under jmh/, see its README). */
public final class Fixtures {
    private Fixtures() {
    }

    /** The path of {@code src/test/resources/jmh/<name>}. */
    public static Path jmh(String name) {
        try {
            var url = Fixtures.class.getResource("/jmh/" + name);
            if (url == null) {
                throw new IllegalStateException("missing test resource jmh/" + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
