//! Ward's compiler.
