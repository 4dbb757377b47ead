#include <stdio.h>
#include <histedit.h>

// el_set / el_get are C variadic functions, which Swift cannot call. These small non-variadic
// wrappers expose exactly the operations the uboost REPL front end needs.

typedef char *(*uboost_el_prompt_fn)(EditLine *);
typedef unsigned char (*uboost_el_key_fn)(EditLine *, int);

static inline int uboost_el_set_prompt(EditLine *el, uboost_el_prompt_fn fn) {
  return el_set(el, EL_PROMPT, fn);
}
static inline int uboost_el_set_editor(EditLine *el, const char *mode) {
  return el_set(el, EL_EDITOR, mode);
}
static inline int uboost_el_add_function(EditLine *el, const char *name, const char *help,
                                         uboost_el_key_fn fn) {
  return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int uboost_el_bind(EditLine *el, const char *key, const char *function) {
  return el_set(el, EL_BIND, key, function, (const char *)NULL);
}
static inline int uboost_el_setty(EditLine *el, const char *mode, const char *flag) {
  return el_set(el, EL_SETTY, mode, flag, (const char *)NULL);
}
static inline int uboost_el_set_clientdata(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}
static inline void *uboost_el_get_clientdata(EditLine *el) {
  void *data = NULL;
  if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
  return data;
}
static inline int uboost_el_refresh(EditLine *el) {
  return el_set(el, EL_REFRESH);
}
static inline int uboost_el_set_signal(EditLine *el, int on) {
  return el_set(el, EL_SIGNAL, on);
}
static inline int uboost_el_bind_arrow(EditLine *el, const char *key, const char *function) {
  return el_set(el, EL_BIND, "-k", key, function, (const char *)NULL);
}
