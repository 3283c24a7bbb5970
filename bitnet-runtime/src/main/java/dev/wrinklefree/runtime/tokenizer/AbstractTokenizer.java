package dev.wrinklefree.runtime.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * What every vocabulary type shares: splitting text at special tokens (llama.cpp's
 * {@code tokenizer_st_partition}), adding BOS/EOS, and turning tokens into bytes.
 */
abstract class AbstractTokenizer implements Tokenizer {
    protected final Vocabulary vocab;

    AbstractTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    /** A piece of the input: raw text to tokenize, or an already recognized special token. */
    record Fragment(String text, int token) {
        boolean isToken() {
            return text == null;
        }
    }

    /** Splits text at occurrences of special tokens, longest tokens first. */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (text.isEmpty()) {
            return frags;
        }
        frags.add(new Fragment(text, -1));
        for (int id : vocab.specialTokensBySize()) {
            TokenType t = vocab.type(id);
            if (!parseSpecial && (t == TokenType.CONTROL || t == TokenType.UNKNOWN)) {
                continue;
            }
            String special = vocab.text(id);
            List<Fragment> next = new ArrayList<>(frags.size());
            for (Fragment f : frags) {
                if (f.isToken() || !f.text().contains(special)) {
                    next.add(f);
                    continue;
                }
                String s = f.text();
                int from = 0;
                int at;
                while ((at = s.indexOf(special, from)) >= 0) {
                    if (at > from) {
                        next.add(new Fragment(s.substring(from, at), -1));
                    }
                    next.add(new Fragment(null, id));
                    from = at + special.length();
                }
                if (from < s.length()) {
                    next.add(new Fragment(s.substring(from), -1));
                }
            }
            frags = next;
        }
        return frags;
    }

    @Override
    public byte[] piece(int token, boolean special) {
        if (token < 0 || token >= vocab.size()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + vocab.size());
        }
        TokenType t = vocab.type(token);
        if (t == TokenType.CONTROL || t == TokenType.UNKNOWN) {
            return special ? utf8(vocab.text(token)) : new byte[0];
        }
        if (t == TokenType.USER_DEFINED) {
            return utf8(vocab.text(token));
        }
        return normalPiece(token, t);
    }

    /** Bytes of a NORMAL, BYTE, UNUSED or UNDEFINED token; empty for types the vocabulary does not render. */
    abstract byte[] normalPiece(int token, TokenType type);

    static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static int[] toArray(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
