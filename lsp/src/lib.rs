//! Ward's language server (placeholder until the server lands).
