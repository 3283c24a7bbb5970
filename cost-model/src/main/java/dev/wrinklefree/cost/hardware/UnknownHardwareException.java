package dev.wrinklefree.cost.hardware;

import java.util.Collection;

/** An id that is not in the catalog; the message lists the ids that are. */
public final class UnknownHardwareException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnknownHardwareException(String id, Collection<String> known) {
        super("unknown hardware '" + id + "'; known: " + String.join(", ", known)
                + " (add it with a catalog file: --catalog FILE)");
    }
}
