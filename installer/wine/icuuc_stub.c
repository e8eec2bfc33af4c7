/* TEST-ONLY stand-in for Windows' own icuuc.dll, for running the app under Wine (installer/windows_check.sh).
 *
 * Qt 6.12's Qt6Core.dll imports these ucnv_* functions from the icuuc.dll that Windows 10 1703 and later
 * ship in System32; Wine has no icuuc.dll, so Qt would not load at all. Every converter open fails here,
 * so Qt falls back to its own UTF-8/UTF-16/Latin-1 codecs, which is all the app uses.
 * The check copies the built DLL into the Wine prefix's system32 only: it must never go into the bundle
 * or the setup (a real Windows PC has the real one). Built with mingw-w64:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o icuuc.dll icuuc_stub.c
 */
#include <stddef.h>
#include <stdint.h>

typedef int32_t UErrorCode;
typedef uint16_t UChar;
typedef struct UConverter UConverter;
typedef void (*UConverterCallback)(void);

#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

static int failed(UErrorCode *err) {
    if (err != NULL && *err <= 0) {
        *err = U_FILE_ACCESS_ERROR;
    }
    return 0;
}

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err) { (void)name; failed(err); return NULL; }
EXPORT void ucnv_close(UConverter *cnv) { (void)cnv; }
EXPORT void ucnv_reset(UConverter *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 1; }
EXPORT const char *ucnv_getName(const UConverter *cnv, UErrorCode *err) { (void)cnv; failed(err); return ""; }
EXPORT void ucnv_getToUCallBack(const UConverter *cnv, UConverterCallback *action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const UConverter *cnv, UConverterCallback *action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_setToUCallBack(UConverter *cnv, UConverterCallback a, const void *c, UConverterCallback *oa,
                                const void **oc, UErrorCode *err) {
    (void)cnv; (void)a; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; failed(err);
}
EXPORT void ucnv_setFromUCallBack(UConverter *cnv, UConverterCallback a, const void *c, UConverterCallback *oa,
                                  const void **oc, UErrorCode *err) {
    (void)cnv; (void)a; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; failed(err);
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset, UErrorCode *err) {
    (void)args; (void)source; (void)length; (void)offset; failed(err);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *sourceLimit, int32_t offset,
                                    UErrorCode *err) {
    (void)args; (void)source; (void)sourceLimit; (void)offset; failed(err);
}
EXPORT void ucnv_toUnicode(UConverter *cnv, UChar **target, const UChar *targetLimit, const char **source,
                           const char *sourceLimit, int32_t *offsets, int8_t flush, UErrorCode *err) {
    (void)cnv; (void)target; (void)targetLimit; (void)source; (void)sourceLimit; (void)offsets; (void)flush;
    failed(err);
}
EXPORT void ucnv_fromUnicode(UConverter *cnv, char **target, const char *targetLimit, const UChar **source,
                             const UChar *sourceLimit, int32_t *offsets, int8_t flush, UErrorCode *err) {
    (void)cnv; (void)target; (void)targetLimit; (void)source; (void)sourceLimit; (void)offsets; (void)flush;
    failed(err);
}
EXPORT int32_t ucnv_toUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; return failed(err); }
EXPORT int32_t ucnv_fromUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; return failed(err); }
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err) {
    (void)name; (void)standard; failed(err); return NULL;
}
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
/* ICU's standard callbacks (Qt passes them to ucnv_set*CallBack, which fails anyway). */
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(void) {}
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(void) {}
