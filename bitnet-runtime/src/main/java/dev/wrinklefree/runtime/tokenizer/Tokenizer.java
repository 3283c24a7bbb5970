package dev.wrinklefree.runtime.tokenizer;

/**
 * Text to token ids and back, with a model's own vocabulary.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface Tokenizer {
    /**
     * Tokenizes text as llama.cpp does.
     *
     * @param text         the text
     * @param addSpecial   add the BOS (and EOS) tokens the vocabulary asks for
     * @param parseSpecial recognize control tokens written in the text (for example {@code <s>}) as such,
     *                     as llama.cpp's command line does for prompts
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** {@link #encode(String, boolean, boolean)} with special tokens added and parsed, as llama-cli does. */
    default int[] encode(String text) {
        return encode(text, true, true);
    }

    /**
     * The bytes a token stands for in generated text (UTF-8, possibly an incomplete sequence for byte
     * tokens). Control and unknown tokens give their text only when {@code special} is true; unused tokens
     * give nothing.
     */
    byte[] piece(int token, boolean special);

    /** Concatenated pieces of tokens (special tokens rendered), decoded as UTF-8. */
    default String decode(int... tokens) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            out.writeBytes(piece(t, true));
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The vocabulary. */
    Vocabulary vocabulary();

    /** Whether generation should stop at this token (EOS, EOT and similar). */
    default boolean isEndOfGeneration(int token) {
        return vocabulary().isEndOfGeneration(token);
    }
}
