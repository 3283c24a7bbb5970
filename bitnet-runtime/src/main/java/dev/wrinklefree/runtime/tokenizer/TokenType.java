package dev.wrinklefree.runtime.tokenizer;

/** Token types as {@code tokenizer.ggml.token_type} stores them (llama.cpp's {@code llama_token_type}). */
public enum TokenType {
    UNDEFINED,
    NORMAL,
    UNKNOWN,
    CONTROL,
    USER_DEFINED,
    UNUSED,
    BYTE;

    /** The type for a stored id; ids outside 0..6 count as UNDEFINED, as llama.cpp treats them. */
    public static TokenType ofId(int id) {
        return id >= 0 && id < values().length ? values()[id] : UNDEFINED;
    }

    /** Whether text may contain this token literally and be split at it (control, user-defined, unknown). */
    boolean isSpecial() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}
