/* Link-time stand-ins for the static build (PM_STATIC, cmake/Dependencies.cmake).
 *
 * Debian has no static GSSAPI (krb5), OpenLDAP or GLX libraries, but libpq.a and
 * libopencv_core.a reference them on paths the server never takes. Linking those libraries
 * dynamically would bring back ~20 shared libraries, so these stubs satisfy the linker and fail
 * cleanly if ever reached:
 *
 *  - GSSAPI: every connection sets gssencmode=disable (store/postgres/pg_connection.cc); a server
 *    that asks for GSS authentication gets "GSSAPI ... not supported by this build" from libpq.
 *  - LDAP: only for "ldap://" lines in pg_service.conf; ldap_init fails, so libpq reports "could
 *    not create LDAP structure" and nothing else is called.
 *  - GLX: OpenCV's OpenGL interop, which the server never enables.
 *
 * Signatures follow <gssapi/gssapi.h>, <ldap.h> and <GL/glx.h> with opaque pointers, so that no
 * development headers of those libraries are needed. This file must not be linked into a build
 * that also links the real libraries.
 */
#include <stddef.h>

typedef unsigned int OM_uint32;
typedef struct {
  size_t length;
  void* value;
} pm_gss_buffer;

/* GSS_S_FAILURE: a calling error of 0 and routine error 13 ("unspecified failure"). */
#define PM_GSS_FAILURE (13u << 16)

static OM_uint32 GssFail(OM_uint32* minor) {
  if (minor != NULL) *minor = 0;
  return PM_GSS_FAILURE;
}

void* GSS_C_NT_HOSTBASED_SERVICE = NULL;

OM_uint32 gss_import_name(OM_uint32* minor, pm_gss_buffer* name, void* type, void** out) {
  (void)name, (void)type;
  if (out != NULL) *out = NULL;
  return GssFail(minor);
}
OM_uint32 gss_acquire_cred(OM_uint32* minor, void* name, OM_uint32 time_req, void* mechs, int usage,
                           void** cred, void** actual, OM_uint32* time_rec) {
  (void)name, (void)time_req, (void)mechs, (void)usage, (void)actual, (void)time_rec;
  if (cred != NULL) *cred = NULL;
  return GssFail(minor);
}
OM_uint32 gss_init_sec_context(OM_uint32* minor, void* cred, void** ctx, void* target, void* mech,
                               OM_uint32 flags, OM_uint32 time_req, void* bindings,
                               pm_gss_buffer* in, void** actual_mech, pm_gss_buffer* out,
                               OM_uint32* ret_flags, OM_uint32* time_rec) {
  (void)cred, (void)ctx, (void)target, (void)mech, (void)flags, (void)time_req, (void)bindings;
  (void)in, (void)actual_mech, (void)ret_flags, (void)time_rec;
  if (out != NULL) out->length = 0, out->value = NULL;
  return GssFail(minor);
}
/* libpq formats every GSS error with this and uses the text without checking the status. */
OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 status, int type, void* mech,
                             OM_uint32* context, pm_gss_buffer* text) {
  static char message[] = "GSSAPI is not supported by this build of palettemaker";
  (void)status, (void)type, (void)mech;
  if (minor != NULL) *minor = 0;
  if (context != NULL) *context = 0;
  if (text != NULL) text->length = sizeof message - 1, text->value = message;
  return 0;
}
/* Buffers come from gss_display_status (static text) or are empty: nothing to free. */
OM_uint32 gss_release_buffer(OM_uint32* minor, pm_gss_buffer* buffer) {
  if (minor != NULL) *minor = 0;
  if (buffer != NULL) buffer->length = 0, buffer->value = NULL;
  return 0;
}
OM_uint32 gss_release_cred(OM_uint32* minor, void** cred) {
  (void)cred;
  if (minor != NULL) *minor = 0;
  return 0;
}
OM_uint32 gss_release_name(OM_uint32* minor, void** name) {
  (void)name;
  if (minor != NULL) *minor = 0;
  return 0;
}
OM_uint32 gss_delete_sec_context(OM_uint32* minor, void** ctx, pm_gss_buffer* out) {
  (void)ctx, (void)out;
  if (minor != NULL) *minor = 0;
  return 0;
}
OM_uint32 gss_wrap(OM_uint32* minor, void* ctx, int conf, unsigned qop, pm_gss_buffer* in,
                   int* conf_state, pm_gss_buffer* out) {
  (void)ctx, (void)conf, (void)qop, (void)in, (void)conf_state, (void)out;
  return GssFail(minor);
}
OM_uint32 gss_unwrap(OM_uint32* minor, void* ctx, pm_gss_buffer* in, pm_gss_buffer* out,
                     int* conf_state, unsigned* qop) {
  (void)ctx, (void)in, (void)out, (void)conf_state, (void)qop;
  return GssFail(minor);
}
OM_uint32 gss_wrap_size_limit(OM_uint32* minor, void* ctx, int conf, unsigned qop, OM_uint32 size,
                              OM_uint32* max_in) {
  (void)ctx, (void)conf, (void)qop, (void)size;
  if (max_in != NULL) *max_in = 0;
  return GssFail(minor);
}

/* LDAP: ldap_init is libpq's first call and its NULL ends the lookup; the rest report failure. */
#define PM_LDAP_OTHER 0x50
void* ldap_init(const char* host, int port) {
  (void)host, (void)port;
  return NULL;
}
char* ldap_err2string(int err) {
  static char message[] = "LDAP is not supported by this build of palettemaker";
  (void)err;
  return message;
}
int ldap_set_option(void* ld, int option, const void* value) {
  (void)ld, (void)option, (void)value;
  return PM_LDAP_OTHER;
}
int ldap_simple_bind(void* ld, const char* who, const char* password) {
  (void)ld, (void)who, (void)password;
  return -1;
}
int ldap_result(void* ld, int id, int all, void* timeout, void** result) {
  (void)ld, (void)id, (void)all, (void)timeout;
  if (result != NULL) *result = NULL;
  return -1;
}
int ldap_search_st(void* ld, const char* base, int scope, const char* filter, char** attrs,
                   int attrs_only, void* timeout, void** result) {
  (void)ld, (void)base, (void)scope, (void)filter, (void)attrs, (void)attrs_only, (void)timeout;
  if (result != NULL) *result = NULL;
  return PM_LDAP_OTHER;
}
int ldap_count_entries(void* ld, void* result) {
  (void)ld, (void)result;
  return -1;
}
void* ldap_first_entry(void* ld, void* result) {
  (void)ld, (void)result;
  return NULL;
}
void** ldap_get_values_len(void* ld, void* entry, const char* attr) {
  (void)ld, (void)entry, (void)attr;
  return NULL;
}
void ldap_value_free_len(void** values) { (void)values; }
int ldap_msgfree(void* result) {
  (void)result;
  return 0;
}
int ldap_unbind(void* ld) {
  (void)ld;
  return 0;
}

/* GLX: no current context, no GL functions. */
void* glXGetCurrentContext(void) { return NULL; }
void* glXGetCurrentDisplay(void) { return NULL; }
void* glXGetProcAddressARB(const unsigned char* name) {
  (void)name;
  return NULL;
}
