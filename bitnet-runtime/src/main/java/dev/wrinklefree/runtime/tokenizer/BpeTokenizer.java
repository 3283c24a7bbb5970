package dev.wrinklefree.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}) as llama.cpp's {@code llm_tokenizer_bpe} does it:
 * the text is split by the pre-tokenizer's regular expressions, each piece's UTF-8 bytes are mapped to
 * GPT-2's printable byte alphabet, then adjacent symbols are merged by merge rank (lowest first,
 * leftmost on ties). LLaMA-3 style vocabularies ({@code pre = llama-bpe}) take a whole piece directly
 * when it is a token.
 */
public final class BpeTokenizer extends AbstractTokenizer {
    private static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String[] BYTE_TO_CHAR = new String[256];
    private static final Map<Integer, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
            int cp = printable ? b : 256 + n++;
            BYTE_TO_CHAR[b] = new String(Character.toChars(cp));
            CHAR_TO_BYTE.put(cp, b);
        }
    }

    private final List<Pattern> patterns;
    private final boolean ignoreMerges;
    private final Map<String, Integer> ranks;

    /**
     * @throws IllegalArgumentException for a pre-tokenizer this class does not implement (names it)
     */
    public BpeTokenizer(Vocabulary vocab) {
        super(vocab);
        this.patterns = new ArrayList<>();
        String pre = vocab.pre();
        if (isLlama3Style(pre)) {
            patterns.add(compile(LLAMA3));
        } else if (pre.equals("gpt-2") || pre.equals("phi-2") || pre.startsWith("jina-")) {
            patterns.add(compile(GPT2));
        } else if (pre.equals("default")) {
            patterns.add(compile("[\\p{P}\\$\\+<=>\\^~\\|]+"));
            patterns.add(compile(GPT2));
            patterns.add(compile("\\p{N}+"));
            patterns.add(compile("[0-9][0-9][0-9]"));
        } else {
            throw new IllegalArgumentException("unsupported BPE pre-tokenizer '" + pre
                    + "' (supported: default, llama-bpe/llama3/llama-v3, smaug-bpe, dbrx, gpt-2)");
        }
        this.ignoreMerges = isLlama3Style(pre);
        String[] merges = vocab.merges();
        this.ranks = new HashMap<>(merges.length * 2);
        for (int i = 0; i < merges.length; i++) {
            int sp = merges[i].indexOf(' ', 1);
            String key = sp < 0 ? "" + '\u0000' : merges[i].substring(0, sp) + '\u0000' + merges[i].substring(sp + 1);
            ranks.putIfAbsent(key, i);
        }
    }

    /** Pre-tokenizer names llama.cpp treats as LLaMA 3's. */
    static boolean isLlama3Style(String pre) {
        return pre.equals("llama3") || pre.equals("llama-v3") || pre.equals("llama-bpe")
                || pre.equals("smaug-bpe") || pre.equals("dbrx");
    }

    private static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The GPT-2 byte-to-unicode alphabet: the one-character text standing for byte {@code b}. */
    public static String byteChar(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) {
            out.add(vocab.bos());
        }
        for (Fragment f : partition(text, parseSpecial)) {
            if (f.isToken()) {
                out.add(f.token());
            } else {
                for (String word : split(f.text())) {
                    tokenizeWord(encodeBytes(word), out);
                }
            }
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) {
            out.add(vocab.eos());
        }
        return toArray(out);
    }

    /** llama.cpp's {@code unicode_regex_split}: each regex refines the pieces; unmatched gaps stay pieces. */
    private List<String> split(String text) {
        List<String> pieces = List.of(text);
        for (Pattern p : patterns) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                Matcher m = p.matcher(piece);
                int last = 0;
                while (m.find()) {
                    if (m.start() > last) {
                        next.add(piece.substring(last, m.start()));
                    }
                    if (m.end() > m.start()) {
                        next.add(piece.substring(m.start(), m.end()));
                    }
                    last = m.end();
                }
                if (last < piece.length()) {
                    next.add(piece.substring(last));
                }
            }
            pieces = next;
        }
        return pieces;
    }

    private static String encodeBytes(String word) {
        StringBuilder sb = new StringBuilder();
        for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }

    private record Bigram(int left, int right, String text, int rank) {
    }

    private void tokenizeWord(String word, List<Integer> out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            int id = vocab.id(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        int n = word.codePointCount(0, word.length());
        String[] sym = new String[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, off = 0; i < n; i++) {
            int cp = word.codePointAt(off);
            int len = Character.charCount(cp);
            sym[i] = word.substring(off, off + len);
            off += len;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Integer.compare(a.rank, b.rank);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < n; i++) {
            addBigram(sym, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (sym[b.left] == null || sym[b.right] == null || !(sym[b.left] + sym[b.right]).equals(b.text)) {
                continue;
            }
            sym[b.left] = b.text;
            sym[b.right] = null;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            addBigram(sym, prev[b.left], b.left, queue);
            addBigram(sym, b.left, next[b.left], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            int id = vocab.id(sym[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                // As llama.cpp: fall back to single-character tokens, dropping what has none.
                sym[i].codePoints().forEach(cp -> {
                    int c = vocab.id(new String(Character.toChars(cp)));
                    if (c >= 0) {
                        out.add(c);
                    }
                });
            }
        }
    }

    private void addBigram(String[] sym, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        Integer rank = ranks.get(sym[left] + '\u0000' + sym[right]);
        if (rank != null) {
            queue.add(new Bigram(left, right, sym[left] + sym[right], rank));
        }
    }

    @Override
    byte[] normalPiece(int token, TokenType type) {
        if (type != TokenType.NORMAL) {
            return new byte[0];
        }
        String t = vocab.text(token);
        byte[] out = new byte[t.length() * 4];
        int n = 0;
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            Integer b = CHAR_TO_BYTE.get(cp);
            if (b != null) {
                out[n++] = (byte) (int) b;
            } else {
                // Not in the byte alphabet: llama.cpp keeps the character's own UTF-8 bytes.
                for (byte x : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out[n++] = x;
                }
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
