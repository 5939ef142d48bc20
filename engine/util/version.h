/* version.h — the version of vane, shown by --version and in the User-Agent. */
#ifndef VANE_VERSION_H
#define VANE_VERSION_H

#define VANE_VERSION "0.1.0"

#endif
