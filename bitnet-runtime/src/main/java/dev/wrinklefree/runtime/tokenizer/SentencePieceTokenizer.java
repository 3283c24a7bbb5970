package dev.wrinklefree.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * LLaMA SentencePiece tokenization as llama.cpp's {@code llm_tokenizer_spm} does it: spaces become
 * U+2581 ("▁"), a space is prefixed to text that follows BOS or a special token, then adjacent symbols are
 * merged greedily by the score of the token they form (highest first, leftmost on ties); pieces that are
 * not tokens fall back to {@code <0xXX>} byte tokens.
 */
public final class SentencePieceTokenizer extends AbstractTokenizer {
    private static final String SPACE = "\u2581";

    private final int[] byteTokens = new int[256];

    public SentencePieceTokenizer(Vocabulary vocab) {
        super(vocab);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0) {
                id = vocab.id(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1));
            }
            byteTokens[b] = id >= 0 ? id : vocab.unk();
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        boolean prevSpecial = true; // the first text gets the space prefix
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) {
            out.add(vocab.bos());
        }
        for (Fragment f : partition(text, parseSpecial)) {
            if (f.isToken()) {
                out.add(f.token());
                prevSpecial = true;
                continue;
            }
            String raw = f.text();
            if (vocab.addSpacePrefix() && prevSpecial) {
                raw = " " + raw;
            }
            tokenizeRaw(raw.replace(" ", SPACE), out);
            prevSpecial = false;
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) {
            out.add(vocab.eos());
        }
        return toArray(out);
    }

    private record Bigram(int left, int right, float score, int size) {
    }

    private void tokenizeRaw(String text, List<Integer> out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) {
            return;
        }
        // Symbols are spans of the text (char offsets); merged symbols stay contiguous.
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int off = 0;
        for (int i = 0; i < n; i++) {
            int cp = text.codePointAt(off);
            start[i] = off;
            len[i] = Character.charCount(cp);
            off += len[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Float.compare(b.score, a.score);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < n; i++) {
            tryAddBigram(text, i - 1, i, start, len, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.size) {
                continue;
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            tryAddBigram(text, prev[b.left], b.left, start, len, queue);
            tryAddBigram(text, b.left, next[b.left], start, len, queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            resegment(text, start[i], len[i], out);
        }
    }

    private void tryAddBigram(String text, int left, int right, int[] start, int[] len, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        String s = text.substring(start[left], start[left] + len[left] + len[right]);
        int id = vocab.id(s);
        if (id < 0) {
            return;
        }
        queue.add(new Bigram(left, right, vocab.score(id), s.length()));
    }

    /**
     * Emits a final symbol: its token, or its UTF-8 bytes as byte tokens. (llama.cpp also consults the
     * bigrams that formed it, but a merged symbol is always a vocabulary token, so only unmerged
     * characters missing from the vocabulary reach the byte fallback.)
     */
    private void resegment(String text, int s0, int n, List<Integer> out) {
        String s = text.substring(s0, s0 + n);
        int id = vocab.id(s);
        if (id >= 0) {
            out.add(id);
            return;
        }
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            out.add(byteTokens[b & 0xFF]);
        }
    }

    @Override
    byte[] normalPiece(int token, TokenType type) {
        return switch (type) {
            case NORMAL -> utf8(vocab.text(token).replace(SPACE, " "));
            case BYTE -> {
                String t = vocab.text(token);
                yield new byte[] {(byte) Integer.parseInt(t.substring(3, 5), 16)};
            }
            default -> new byte[0];
        };
    }
}
