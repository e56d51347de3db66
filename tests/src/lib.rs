//! Shared parts of errspec's tests and examples: scripted HTTP servers on 127.0.0.1.

pub mod ardoq_server;
