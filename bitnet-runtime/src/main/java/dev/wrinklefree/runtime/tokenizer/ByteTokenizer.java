package dev.wrinklefree.runtime.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The fallback for a model file without a vocabulary: token {@code b} (0..255) is the byte {@code b} of the
 * UTF-8 text; ids from 256 up render as nothing. No BOS/EOS.
 */
public final class ByteTokenizer extends AbstractTokenizer {
    /**
     * @param vocabularySize the model's vocabulary size (at least 256)
     */
    public ByteTokenizer(int vocabularySize) {
        super(byteVocabulary(vocabularySize));
    }

    private static Vocabulary byteVocabulary(int n) {
        if (n < 256) {
            throw new IllegalArgumentException("a byte-level vocabulary needs at least 256 tokens, the model has " + n);
        }
        String[] tokens = new String[n];
        TokenType[] types = new TokenType[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = i < 256 ? String.format("<0x%02X>", i) : "<unused_" + i + ">";
            types[i] = i < 256 ? TokenType.BYTE : TokenType.UNUSED;
        }
        return new Vocabulary("none", "default", tokens, null, types, null, -1, -1, -1, false, false, false);
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    @Override
    byte[] normalPiece(int token, TokenType type) {
        return type == TokenType.BYTE ? new byte[] {(byte) token} : new byte[0];
    }
}
