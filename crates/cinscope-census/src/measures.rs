//! Published measures (to be written next).
