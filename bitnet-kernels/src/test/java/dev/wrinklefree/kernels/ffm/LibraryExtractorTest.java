package dev.wrinklefree.kernels.ffm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryExtractorTest {

    @Test
    void extractsOnceIntoADirectoryNamedByContent(@TempDir Path cache) throws IOException {
        byte[] v1 = "library one".getBytes(StandardCharsets.UTF_8);
        byte[] v2 = "library two".getBytes(StandardCharsets.UTF_8);
        Path a = LibraryExtractor.extract(v1, cache, "libx.so");
        long modified = Files.getLastModifiedTime(a).toMillis();
        Path again = LibraryExtractor.extract(v1, cache, "libx.so");
        assertEquals(a, again);
        assertEquals(modified, Files.getLastModifiedTime(again).toMillis(), "an identical file is not rewritten");
        assertArrayEquals(v1, Files.readAllBytes(a));
        Path b = LibraryExtractor.extract(v2, cache, "libx.so");
        assertNotEquals(a.getParent(), b.getParent(), "another build gets another directory");
        assertArrayEquals(v1, Files.readAllBytes(a), "and leaves the first one alone");
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void replacesATruncatedOrAlteredFile(@TempDir Path cache) throws IOException {
        byte[] lib = "the real library".getBytes(StandardCharsets.UTF_8);
        Path p = LibraryExtractor.extract(lib, cache, "libx.so");
        Files.write(p, "the real".getBytes(StandardCharsets.UTF_8));
        assertEquals(p, LibraryExtractor.extract(lib, cache, "libx.so"));
        assertArrayEquals(lib, Files.readAllBytes(p));
    }

    @Test
    void knowsThisPlatform() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (os.startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            assertEquals("linux-x86_64", LibraryExtractor.platform().orElseThrow());
            assertEquals("/native/linux-x86_64/libwrinklefree.so", LibraryExtractor.resourceName("linux-x86_64"));
        }
    }
}
