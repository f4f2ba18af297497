package dev.baton.cli;

/** A mistake the user can fix: shown as one line, never as a stack trace. */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message, null, false, false);
    }
}
