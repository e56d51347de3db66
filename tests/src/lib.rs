//! Shared helpers for errspec's tests.
