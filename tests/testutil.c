/*  testutil: see testutil.h. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
testutil_remove_tree (const char *path)
{
    struct stat st;
    if (lstat (path, &st) != 0)
        return;
    if (S_ISDIR (st.st_mode)) {
        DIR *dir = opendir (path);
        if (dir) {
            struct dirent *e;
            while ((e = readdir (dir))) {
                if (strcmp (e->d_name, ".") == 0 ||
                    strcmp (e->d_name, "..") == 0)
                    continue;
                char child[1024];
                snprintf (child, sizeof (child), "%s/%s", path, e->d_name);
                testutil_remove_tree (child);
            }
            closedir (dir);
        }
        rmdir (path);
    } else
        unlink (path);
}
