"""Tests against the emulator served on loopback (127.0.0.1) over real sockets; no vendor is called."""
