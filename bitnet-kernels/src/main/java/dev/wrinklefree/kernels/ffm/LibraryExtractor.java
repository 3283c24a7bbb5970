package dev.wrinklefree.kernels.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the native library for this platform among the jar's resources and extracts it once into a cache
 * directory, keyed by the SHA-256 of its content so that different builds never share a file.
 *
 * <p>The file is written to a temporary name in the target directory and moved into place atomically,
 * so a concurrent JVM sees either no file or the whole file. A file found in the cache is loaded only if
 * its content hashes to the expected value (a truncated or replaced file is written anew).
 */
final class LibraryExtractor {
    private LibraryExtractor() {
    }

    /** {@code linux-x86_64}, {@code macos-aarch64}, ...; empty on an OS or CPU the build does not know. */
    static Optional<String> platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos" : null;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        return o == null || a == null ? Optional.empty() : Optional.of(o + "-" + a);
    }

    /** The library's file name on this OS. */
    static String fileName() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac")
                ? "libwrinklefree.dylib" : "libwrinklefree.so";
    }

    /** The class-path resource holding the library for a platform. */
    static String resourceName(String platform) {
        return "/native/" + platform + "/" + fileName();
    }

    /**
     * Writes {@code content} as {@code <cacheRoot>/<hash>/<fileName>} unless an identical file is there.
     *
     * @return the path of the library file
     * @throws IOException if the directory cannot be created or written
     */
    static Path extract(byte[] content, Path cacheRoot, String fileName) throws IOException {
        String hash = sha256(content).substring(0, 16);
        Path dir = cacheRoot.resolve(hash);
        Path target = dir.resolve(fileName);
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)) {
            return target;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, fileName, ".tmp");
        try {
            Files.write(tmp, content);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** Reads a class-path resource fully; empty when absent. */
    static Optional<byte[]> readResource(String name) throws IOException {
        try (InputStream in = LibraryExtractor.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }

    /**
     * The cache directories to try, in order: {@code -Dwrinklefree.native.cache}, else
     * {@code $XDG_CACHE_HOME/wrinklefree/native} or {@code ~/.cache/wrinklefree/native}, then
     * {@code <java.io.tmpdir>/wrinklefree-native-<user>}.
     */
    static Path[] cacheRoots() {
        String forced = System.getProperty(NativeLibrary.CACHE_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return new Path[] {Path.of(forced)};
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path home = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home", "."), ".cache");
        return new Path[] {
            home.resolve("wrinklefree").resolve("native"),
            Path.of(System.getProperty("java.io.tmpdir"), "wrinklefree-native-" + System.getProperty("user.name", "user"))
        };
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
