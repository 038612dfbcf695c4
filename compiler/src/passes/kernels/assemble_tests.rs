//! Tests of program assembly on small models.
