package dev.wrinklefree.cost.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void replacesWholeAndLeavesNoTemporaryFile() throws Exception {
        Path f = tmp.resolve("a/b/out.json");
        AtomicFiles.writeString(f, "first");
        AtomicFiles.writeString(f, "second");
        assertEquals("second", Files.readString(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void finishedFilesGetTheUmasksPermissionsNotTemporaryFilePermissions() throws Exception {
        Path f = tmp.resolve("report.md");
        AtomicFiles.writeString(f, "x");
        Path plain = Files.createFile(tmp.resolve("plain.md"));
        // createTempFile would have made it 0600 (owner only), whatever the umask.
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
    }

    @Test
    void failedMoveLeavesTargetAndNoTemporaryFile() throws Exception {
        Path dirAsTarget = tmp.resolve("taken");
        Files.createDirectories(dirAsTarget.resolve("child"));
        var e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeString(dirAsTarget, "x"));
        assertTrue(e.getMessage().contains("cannot write"), e.getMessage());
        assertTrue(Files.isDirectory(dirAsTarget.resolve("child")), "target untouched");
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "temporary file removed");
        }
    }
}
