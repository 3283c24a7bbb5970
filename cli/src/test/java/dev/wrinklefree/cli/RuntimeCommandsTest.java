package dev.wrinklefree.cli;

import dev.wrinklefree.runtime.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code make-model} and {@code generate} end to end through picocli. */
class RuntimeCommandsTest {
    @TempDir
    Path dir;

    /** Through {@link CliTest#run}: the real entry point with its one-line error handling. */
    static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void makeModelThenGenerate() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        CliTest.Run mk = run("make-model", "--model", "tiny-gqa", "--format", "I2_S", "--head", "q8_0", "-o", model.toString());
        assertEquals(0, mk.code(), mk.err());
        assertTrue(mk.err().contains("100.0 %"), "progress shown: " + mk.err());
        assertTrue(mk.out().contains("wrote " + model), mk.out());
        try (GgufFile f = GgufFile.open(model)) {
            assertEquals("bitnet-b1.58", f.metadata().getString("general.architecture"));
        }
        CliTest.Run again = run("make-model", "--model", "tiny-gqa", "-o", model.toString());
        assertNotEquals(0, again.code(), "refuses to overwrite without --force");

        CliTest.Run gen = run("generate", "-m", model.toString(), "-p", "Hello", "-n", "5", "--threads", "2", "--backend", "scalar");
        assertEquals(0, gen.code(), gen.err());
        assertTrue(gen.out().startsWith("Hello"), gen.out());
        for (String want : new String[] {"prompt:", "tokens/s", "time to first token", "p50", "p99", "peak memory"}) {
            assertTrue(gen.err().contains(want), "report has '" + want + "': " + gen.err());
        }
        CliTest.Run same = run("generate", "-m", model.toString(), "-p", "Hello", "-n", "5", "--temperature", "1.5", "--seed", "4");
        CliTest.Run same2 = run("generate", "-m", model.toString(), "-p", "Hello", "-n", "5", "--temperature", "1.5", "--seed", "4");
        assertEquals(same.out(), same2.out(), "fixed seed, same text");
    }

    @Test
    void clearErrors() throws Exception {
        CliTest.Run missing = run("generate", "-m", dir.resolve("nope.gguf").toString(), "-p", "x");
        assertNotEquals(0, missing.code());
        Path junk = dir.resolve("junk.gguf");
        Files.writeString(junk, "not a model");
        CliTest.Run bad = run("generate", "-m", junk.toString(), "-p", "x");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("magic"), bad.err());
        CliTest.Run unknown = run("make-model", "--model", "gpt-5", "-o", dir.resolve("x.gguf").toString());
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("bitnet-2b-4t"), "lists the known models: " + unknown.err());
    }
}
