/*  testutil: small helpers the test suites share. */
#ifndef TESTUTIL_H_INCLUDED
#define TESTUTIL_H_INCLUDED

/* Removes a file or a directory tree (what a test's temporary directory
   holds: LMDB files, sockets, logs). Missing paths are fine. */
void testutil_remove_tree (const char *path);

#endif
