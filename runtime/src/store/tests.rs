//! store tests
