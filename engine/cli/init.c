/* init.c — a new monitor folder (see init.h). */
#include "cli/init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/embedded.h"

static const char starter[] =
    "-- vane.lua — what this monitor watches and where its flags go.\n"
    "-- `vane check` validates it; `vane run` runs it (from cron: see the README).\n"
    "\n"
    "database \"vane.db\"\n"
    "rules { \"rules\" }            -- the rules/ folder beside this file: edit them\n"
    "\n"
    "source {\n"
    "  id = \"us-travel-advisories\", script = \"travel_advisories\",\n"
    "  url = \"https://travel.state.gov/_res/rss/TAsTWs.xml\",\n"
    "  every = \"1h\", removals = true,   -- an advisory leaving the list is news\n"
    "}\n"
    "\n"
    "-- More sources with the shipped scripts (README, \"Shipped scripts\"):\n"
    "-- source { id = \"state-press\", script = \"rss\", every = \"30m\",\n"
    "--          url = \"https://www.state.gov/rss-feed/press-releases/feed/\" }\n"
    "-- source { id = \"fr-china\", script = \"federal_register\", every = \"6h\",\n"
    "--          url = \"https://www.federalregister.gov/api/v1/documents.json?conditions[term]=China&order=newest\" }\n"
    "-- source { id = \"mfa-en\", script = \"html_links\", url = \"https://www.mfa.gov.cn/eng/xw/fyrbt/\" }\n"
    "\n"
    "-- Terms to flag wherever they appear (the keyword-watch rule):\n"
    "-- watch { id = \"fentanyl\", terms = { \"fentanyl\", \"芬太尼\" } }\n"
    "\n"
    "-- Flags are printed by `vane run`; channels deliver them elsewhere too\n"
    "-- (README, \"Channels\"). Secrets come from the environment:\n"
    "-- channel { id = \"desk\", kind = \"email\", smtp = \"smtp://mail.example.org:587\",\n"
    "--           user = env \"SMTP_USER\", password = env \"SMTP_PASSWORD\",\n"
    "--           from = \"vane@example.org\", to = { \"desk@example.org\" }, min_severity = \"medium\" }\n"
    "-- channel { id = \"chat\", kind = \"slack\", url = env \"SLACK_WEBHOOK_URL\" }\n"
    "-- (also teams, discord, telegram, matrix, ntfy, pushover, atom, webhook, exec, file)\n";

/* Create path with contents unless it exists. Returns 1 written, 0 kept, -1 error. */
static int write_new(const char *path, const char *data, size_t len, err_t *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? 0 : err_set(e, "cannot create %s: %s", path, strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = errno;
            close(fd);
            return err_set(e, "cannot write %s: %s", path, strerror(err));
        }
        done += (size_t)n;
    }
    return close(fd) == 0 ? 1 : err_set(e, "cannot write %s: %s", path, strerror(errno));
}

static int make_dir(const char *path, err_t *e)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    return err_set(e, "cannot create %s: %s", path, strerror(errno));
}

int init_folder(const char *dir, int *written, err_t *e)
{
    char path[4096];
    *written = 0;
    if (make_dir(dir, e) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/vane.lua", dir);
    if (access(path, F_OK) == 0)
        return err_set(e, "%s already exists; nothing written", path);
    snprintf(path, sizeof path, "%s/rules", dir);
    if (make_dir(path, e) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/scripts", dir);
    if (make_dir(path, e) != 0)
        return -1;
    for (const embedded_file_t *f = embedded_files; f->name; f++) {
        if (strncmp(f->name, "rules/", 6) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, f->name);
        int rc = write_new(path, f->data, f->len, e);
        if (rc < 0)
            return -1;
        *written += rc;
    }
    snprintf(path, sizeof path, "%s/vane.lua", dir);
    int rc = write_new(path, starter, sizeof starter - 1, e);
    if (rc < 0)
        return -1;
    *written += rc;
    return 0;
}
