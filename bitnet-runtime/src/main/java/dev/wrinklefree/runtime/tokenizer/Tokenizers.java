package dev.wrinklefree.runtime.tokenizer;

import dev.wrinklefree.runtime.gguf.GgufException;
import dev.wrinklefree.runtime.gguf.GgufMetadata;

/** Builds the tokenizer a GGUF file's metadata describes. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * SentencePiece for {@code tokenizer.ggml.model = llama}, byte-level BPE for {@code gpt2}, and
     * {@link ByteTokenizer} when the file has no vocabulary.
     *
     * @param vocabularySize the model's vocabulary size, used only for the byte-level fallback
     * @throws GgufException if the tokenizer metadata is malformed or of an unsupported kind
     */
    public static Tokenizer fromGguf(GgufMetadata md, int vocabularySize) throws GgufException {
        if (!md.contains("tokenizer.ggml.model") || !md.contains("tokenizer.ggml.tokens")) {
            return new ByteTokenizer(vocabularySize);
        }
        Vocabulary v = Vocabulary.fromGguf(md);
        return switch (v.model()) {
            case "llama" -> new SentencePieceTokenizer(v);
            case "gpt2" -> {
                try {
                    yield new BpeTokenizer(v);
                } catch (IllegalArgumentException e) {
                    throw new GgufException(md.file(), md.get("tokenizer.ggml.pre").map(x -> x.offset()).orElse(-1L),
                            "tokenizer.ggml.pre", e.getMessage());
                }
            }
            default -> throw new GgufException(md.file(), -1, "tokenizer.ggml.model", "unsupported '" + v.model() + "'");
        };
    }
}
