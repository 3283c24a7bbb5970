package dev.wrinklefree.cost.io;

/**
 * Bad input: the message names the source (file), the place in it (field path or entry) and what was
 * expected, so it can be shown to a user as one line.
 */
public class InputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
