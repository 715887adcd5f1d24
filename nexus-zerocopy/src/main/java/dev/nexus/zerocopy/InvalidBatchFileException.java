package dev.nexus.zerocopy;

import java.io.IOException;

/**
 * A shared-memory batch file that cannot be read as a ready batch. Nothing is mapped when this is
 * thrown: the file is refused as a whole.
 */
public final class InvalidBatchFileException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a file was refused. */
    public enum Reason {
        /** The file does not start with the batch magic: not a Nexus batch file. */
        BAD_MAGIC,
        /** The file's layout version is not one this code reads. */
        UNKNOWN_VERSION,
        /** The ready word is not set: the file is being written, or its writer died. */
        NOT_READY,
        /** The file is shorter than its header says (or than a header). */
        TRUNCATED,
        /** The header is inconsistent: a type, a length or an offset out of range. */
        CORRUPT
    }

    /** Why the file was refused. */
    private final Reason reason;

    /**
     * A refusal.
     *
     * @param reason why
     * @param message what was found, naming the file and the value
     */
    public InvalidBatchFileException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /**
     * Why the file was refused.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
