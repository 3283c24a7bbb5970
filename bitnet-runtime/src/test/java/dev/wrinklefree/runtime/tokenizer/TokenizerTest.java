package dev.wrinklefree.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wrinklefree.runtime.gguf.GgufFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {
    static Tokenizer llama;
    static JsonNode expected;

    @BeforeAll
    static void loadLlamaVocabulary() throws IOException {
        Path dir = Path.of(System.getProperty("wrinklefree.shared"), "conformance", "bitnet");
        try (GgufFile f = GgufFile.open(dir.resolve("tiny-i2_s.gguf"))) {
            llama = Tokenizers.fromGguf(f.metadata(), 32002);
        }
        expected = new ObjectMapper().readTree(dir.resolve("tiny-i2_s.expected.json").toFile());
    }

    @Test
    void sentencePieceMatchesLlamaCppOnThePrompt() {
        assertInstanceOf(SentencePieceTokenizer.class, llama);
        assertArrayEquals(new int[] {1, 450, 7483, 310, 3444, 338}, llama.encode("The capital of France is"));
        assertArrayEquals(new int[] {450, 7483, 310, 3444, 338}, llama.encode("The capital of France is", false, false));
        JsonNode pieces = expected.get("prompt_pieces");
        int[] ids = llama.encode(expected.get("prompt").asText());
        for (int i = 0; i < ids.length; i++) {
            assertEquals(pieces.get(i).asText(), new String(llama.piece(ids[i], false), StandardCharsets.UTF_8));
        }
    }

    @Test
    void generatedPiecesMatchTheReference() {
        JsonNode toks = expected.get("generated_tokens");
        JsonNode pieces = expected.get("generated_pieces");
        for (int i = 0; i < toks.size(); i++) {
            assertEquals(pieces.get(i).asText(), new String(llama.piece(toks.get(i).asInt(), false), StandardCharsets.UTF_8));
        }
    }

    @Test
    void sentencePieceRoundTripsWithByteFallback() {
        for (String s : List.of("Hello, world!", "  two  spaces", "naïve café 東京 🦙", "tabs\tand\nnewlines", "x")) {
            int[] ids = llama.encode(s, false, false);
            assertEquals(" " + s, llama.decode(ids), "round trip of '" + s + "'");
        }
        // The llama emoji is not in the vocabulary: it must come out as its four UTF-8 byte tokens.
        int[] ids = llama.encode("🦙", false, false);
        List<String> texts = new ArrayList<>();
        for (int id : ids) {
            texts.add(llama.vocabulary().text(id));
        }
        assertTrue(texts.containsAll(List.of("<0xF0>", "<0x9F>", "<0xA6>", "<0x99>")), texts.toString());
    }

    @Test
    void controlTokensInTextAreParsedOnlyWhenAsked() {
        int[] parsed = llama.encode("<s>hi</s>", false, true);
        assertEquals(1, parsed[0]);
        assertEquals(2, parsed[parsed.length - 1]);
        int[] literal = llama.encode("<s>hi</s>", false, false);
        assertTrue(Arrays.stream(literal).noneMatch(t -> t == 1 || t == 2), Arrays.toString(literal));
    }

    @Test
    void controlTokensRenderOnlyWhenSpecial() {
        assertEquals(0, llama.piece(1, false).length);
        assertEquals("<s>", new String(llama.piece(1, true), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> llama.piece(32002, true));
    }

    /** A small BPE vocabulary: the byte alphabet plus a few merged tokens. */
    static Tokenizer smallBpe(String pre, String... merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(BpeTokenizer.byteChar(b));
        }
        for (String m : merges) {
            tokens.add(m.replace(" ", ""));
        }
        tokens.add("<|bos|>");
        TokenType[] types = new TokenType[tokens.size()];
        Arrays.fill(types, TokenType.NORMAL);
        types[types.length - 1] = TokenType.CONTROL;
        Vocabulary v = new Vocabulary("gpt2", pre, tokens.toArray(String[]::new), null, types, merges,
                types.length - 1, -1, -1, true, false, false);
        return new BpeTokenizer(v);
    }

    @Test
    void bpeAppliesMergesByRank() {
        // "Ġ" is the byte-level form of the space.
        Tokenizer t = smallBpe("default", "l o", "Ġ lo", "Ġlo w", "lo w");
        int[] ids = t.encode("low low", false, false);
        Vocabulary v = t.vocabulary();
        List<String> texts = Arrays.stream(ids).mapToObj(v::text).toList();
        assertEquals(List.of("low", "Ġlow"), texts);
        assertEquals("low low", t.decode(ids));
    }

    @Test
    void bpeRankDecidesBetweenCompetingMerges() {
        // "a b" ranks before "b c": "abc" becomes "ab" + "c", not "a" + "bc".
        Tokenizer t = smallBpe("default", "a b", "b c");
        List<String> texts = Arrays.stream(t.encode("abc", false, false)).mapToObj(t.vocabulary()::text).toList();
        assertEquals(List.of("ab", "c"), texts);
        Tokenizer u = smallBpe("default", "b c", "a b");
        texts = Arrays.stream(u.encode("abc", false, false)).mapToObj(u.vocabulary()::text).toList();
        assertEquals(List.of("a", "bc"), texts);
    }

    @Test
    void llama3PreTokenizerAndByteLevelRoundTrip() {
        Tokenizer t = smallBpe("llama-bpe");
        for (String s : List.of("Hello world's 1234567!", "naïve café 東京 🦙", "line\n\n  indented\ttab", "")) {
            int[] ids = t.encode(s, false, false);
            assertEquals(s, t.decode(ids));
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ids.length, "no merges: one token per byte");
        }
        int[] withBos = t.encode("hi");
        assertEquals(t.vocabulary().bos(), withBos[0]);
    }

    @Test
    void byteTokenizerRoundTrips() {
        ByteTokenizer b = new ByteTokenizer(300);
        String s = "héllo 🦙";
        assertEquals(s, b.decode(b.encode(s)));
        assertEquals(0, b.piece(299, true).length);
        assertThrows(IllegalArgumentException.class, () -> new ByteTokenizer(100));
    }

    @Test
    void unknownPreTokenizerIsRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> smallBpe("qwen2"));
        assertTrue(e.getMessage().contains("qwen2"));
    }
}
