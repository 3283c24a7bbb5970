package dev.wrinklefree.runtime.tokenizer;

import dev.wrinklefree.runtime.gguf.GgufException;
import dev.wrinklefree.runtime.gguf.GgufMetadata;
import dev.wrinklefree.runtime.gguf.GgufValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model's vocabulary as GGUF stores it ({@code tokenizer.ggml.*}): token texts, scores and types,
 * merges for BPE models, the special token ids and the flags that steer tokenization, with llama.cpp's
 * defaults where a key is absent.
 */
public final class Vocabulary {
    /** Texts that mark end-of-generation tokens, as llama.cpp recognizes them. */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>");

    private final String model;
    private final String pre;
    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final String[] merges;
    private final Map<String, Integer> ids;
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final Set<Integer> endOfGeneration;
    private final List<Integer> specialBySize;

    /**
     * Builds a vocabulary.
     *
     * @param model          {@code llama} (SentencePiece) or {@code gpt2} (byte-level BPE)
     * @param pre            the pre-tokenizer name for BPE ({@code default}, {@code llama-bpe}, ...), else {@code default}
     * @param tokens         token texts by id
     * @param scores         scores by id (SPM merge priorities), or null for all zero
     * @param types          types by id, or null for all NORMAL
     * @param merges         BPE merges ("a b", highest priority first), or null
     * @param bos            BOS id or -1
     * @param eos            EOS id or -1
     * @param unk            unknown-token id or -1
     * @param addBos         whether encoding adds BOS
     * @param addEos         whether encoding adds EOS
     * @param addSpacePrefix whether SPM prefixes a space to the text
     */
    public Vocabulary(String model, String pre, String[] tokens, float[] scores, TokenType[] types, String[] merges,
                      int bos, int eos, int unk, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        this.model = Objects.requireNonNull(model, "model");
        this.pre = Objects.requireNonNull(pre, "pre");
        this.tokens = tokens.clone();
        int n = tokens.length;
        this.scores = scores != null ? scores.clone() : new float[n];
        if (types == null) {
            types = new TokenType[n];
            Arrays.fill(types, TokenType.NORMAL);
        }
        this.types = types.clone();
        if (this.scores.length != n || this.types.length != n) {
            throw new IllegalArgumentException("vocabulary of " + n + " tokens has " + this.scores.length + " scores and "
                    + this.types.length + " types");
        }
        this.merges = merges == null ? new String[0] : merges.clone();
        this.ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            ids.put(tokens[i], i); // later duplicates win, as in llama.cpp's token_to_id
        }
        this.bos = checkId(bos, n, "BOS");
        this.eos = checkId(eos, n, "EOS");
        this.unk = checkId(unk, n, "UNK");
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;
        Set<Integer> eog = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (EOG_TEXTS.contains(tokens[i])) {
                eog.add(i);
                this.types[i] = TokenType.CONTROL;
            }
        }
        if (eos >= 0) {
            eog.add(eos);
        }
        this.endOfGeneration = Collections.unmodifiableSet(eog);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (this.types[i].isSpecial() && !tokens[i].isEmpty()) {
                special.add(i);
            }
        }
        // Longest first, so that a special token containing another is matched whole; ties by id for determinism.
        special.sort(Comparator.<Integer>comparingInt(i -> -utf8Length(tokens[i])).thenComparingInt(i -> i));
        this.specialBySize = List.copyOf(special);
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static int checkId(int id, int n, String what) {
        if (id >= n) {
            throw new IllegalArgumentException(what + " token id " + id + " is outside the vocabulary of " + n + " tokens");
        }
        return id;
    }

    /**
     * Reads {@code tokenizer.ggml.*} from GGUF metadata, with llama.cpp's defaults for absent keys.
     *
     * @throws GgufException if the tokenizer keys are missing or malformed (names the key)
     */
    public static Vocabulary fromGguf(GgufMetadata md) throws GgufException {
        String model = md.getString("tokenizer.ggml.model");
        String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
        int n = tokens.length;
        float[] scores = md.contains("tokenizer.ggml.scores") ? md.getFloatArray("tokenizer.ggml.scores") : null;
        if (scores != null && scores.length != n) {
            throw new GgufException(md.file(), md.get("tokenizer.ggml.scores").get().offset(), "tokenizer.ggml.scores",
                    "has " + scores.length + " entries for " + n + " tokens");
        }
        TokenType[] types = null;
        if (md.contains("tokenizer.ggml.token_type")) {
            int[] t = md.getIntArray("tokenizer.ggml.token_type");
            if (t.length != n) {
                throw new GgufException(md.file(), md.get("tokenizer.ggml.token_type").get().offset(),
                        "tokenizer.ggml.token_type", "has " + t.length + " entries for " + n + " tokens");
            }
            types = new TokenType[n];
            for (int i = 0; i < n; i++) {
                types[i] = TokenType.ofId(t[i]);
            }
        }
        String pre = md.getString("tokenizer.ggml.pre", "default");
        String[] merges = null;
        int bos;
        int eos;
        int unk;
        boolean addBos;
        boolean addEos = false;
        boolean addSpace;
        switch (model) {
            case "llama" -> {
                bos = 1;
                eos = 2;
                unk = 0;
                addBos = true;
                addSpace = true;
                pre = "default";
            }
            case "gpt2" -> {
                if (!md.contains("tokenizer.ggml.merges")) {
                    throw new GgufException(md.file(), -1, "tokenizer.ggml.merges", "a gpt2 (BPE) vocabulary needs merges");
                }
                merges = (String[]) md.getArray("tokenizer.ggml.merges", GgufValueType.STRING).values();
                bos = 11;
                eos = 11;
                unk = -1;
                addBos = false;
                addSpace = false;
                if (BpeTokenizer.isLlama3Style(pre)) {
                    addBos = true;
                }
            }
            default -> throw new GgufException(md.file(), md.get("tokenizer.ggml.model").get().offset(),
                    "tokenizer.ggml.model", "unsupported tokenizer model '" + model + "' (supported: llama, gpt2)");
        }
        bos = specialId(md, "tokenizer.ggml.bos_token_id", bos, n);
        eos = specialId(md, "tokenizer.ggml.eos_token_id", eos, n);
        unk = specialId(md, "tokenizer.ggml.unknown_token_id", unk, n);
        addBos = md.getBoolean("tokenizer.ggml.add_bos_token", addBos);
        addEos = md.getBoolean("tokenizer.ggml.add_eos_token", addEos);
        addSpace = md.getBoolean("tokenizer.ggml.add_space_prefix", addSpace);
        if (bos >= n) {
            bos = -1;
        }
        if (eos >= n) {
            eos = -1;
        }
        if (unk >= n) {
            unk = -1;
        }
        return new Vocabulary(model, pre, tokens, scores, types, merges, bos, eos, unk, addBos, addEos, addSpace);
    }

    private static int specialId(GgufMetadata md, String key, int fallback, int n) throws GgufException {
        if (!md.contains(key)) {
            return fallback;
        }
        long id = md.getLong(key);
        // llama.cpp warns and keeps the default for an id outside the vocabulary.
        return id >= 0 && id < n ? (int) id : fallback;
    }

    /** {@code llama} or {@code gpt2}. */
    public String model() {
        return model;
    }

    /** Pre-tokenizer name (BPE). */
    public String pre() {
        return pre;
    }

    /** Number of tokens. */
    public int size() {
        return tokens.length;
    }

    /** Text of token {@code id}. */
    public String text(int id) {
        return tokens[id];
    }

    public float score(int id) {
        return scores[id];
    }

    public TokenType type(int id) {
        return types[id];
    }

    /** The id of a token text, or -1. */
    public int id(String text) {
        Integer i = ids.get(text);
        return i == null ? -1 : i;
    }

    /** BPE merges, highest priority first (empty for SPM). */
    String[] merges() {
        return merges;
    }

    /** BOS id, or -1. */
    public int bos() {
        return bos;
    }

    /** EOS id, or -1. */
    public int eos() {
        return eos;
    }

    /** Unknown-token id, or -1. */
    public int unk() {
        return unk;
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** Whether generation stops at this token. */
    public boolean isEndOfGeneration(int id) {
        return endOfGeneration.contains(id);
    }

    /** Control, user-defined and unknown tokens, longest text first (llama.cpp's special token cache). */
    List<Integer> specialTokensBySize() {
        return specialBySize;
    }
}
