/*
 * A native library with a worker thread of its own, the JVM's counterpart of a Node add-on that
 * calls JavaScript back through napi_threadsafe_function: startNative() returns at once; a pthread
 * created here does the work, attaches itself to the JVM and calls the Java callback. The thread
 * is not a Java thread and no Java code started it, so no agent sees the hop: the Java side keeps
 * the context with an AsyncResource, as a Node add-on does with its async resource.
 */
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

typedef struct {
  JavaVM *vm;
  jobject callback;  /* a global reference, released by the worker */
  char *input;
  int worker;
} work_t;

static void *run_work(void *arg) {
  work_t *work = (work_t *) arg;
  JNIEnv *env;
  char name[32];
  snprintf(name, sizeof name, "native-worker-%d", work->worker);
  JavaVMAttachArgs attach = {JNI_VERSION_1_8, name, NULL};
  if ((*work->vm)->AttachCurrentThreadAsDaemon(work->vm, (void **) &env, &attach) != JNI_OK) {
    fprintf(stderr, "native_worker: cannot attach %s to the JVM\n", name);
    return NULL;
  }
  /* The work: the input in capitals. */
  size_t n = strlen(work->input);
  char *result = malloc(n + 1);
  for (size_t i = 0; i <= n; i++) {
    result[i] = (char) toupper((unsigned char) work->input[i]);
  }
  jclass type = (*env)->GetObjectClass(env, work->callback);
  jmethodID complete = (*env)->GetMethodID(env, type, "complete", "(Ljava/lang/String;)V");
  if (complete != NULL) {
    jstring value = (*env)->NewStringUTF(env, result);
    (*env)->CallVoidMethod(env, work->callback, complete, value);
    (*env)->DeleteLocalRef(env, value);
  }
  if ((*env)->ExceptionCheck(env)) {
    (*env)->ExceptionDescribe(env);
    (*env)->ExceptionClear(env);
  }
  (*env)->DeleteLocalRef(env, type);
  (*env)->DeleteGlobalRef(env, work->callback);
  JavaVM *vm = work->vm;
  free(result);
  free(work->input);
  free(work);
  (*vm)->DetachCurrentThread(vm);
  return NULL;
}

JNIEXPORT void JNICALL Java_io_tether_examples_NativeWorker_startNative(
    JNIEnv *env, jclass cls, jobject callback, jstring input, jint worker) {
  (void) cls;
  work_t *work = calloc(1, sizeof *work);
  if (work == NULL || (*env)->GetJavaVM(env, &work->vm) != 0) {
    free(work);
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"),
        "native_worker: out of memory");
    return;
  }
  const char *chars = (*env)->GetStringUTFChars(env, input, NULL);
  work->input = strdup(chars);
  (*env)->ReleaseStringUTFChars(env, input, chars);
  work->callback = (*env)->NewGlobalRef(env, callback);
  work->worker = worker;
  pthread_t thread;
  if (pthread_create(&thread, NULL, run_work, work) != 0) {
    (*env)->DeleteGlobalRef(env, work->callback);
    free(work->input);
    free(work);
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"),
        "native_worker: cannot start a thread");
    return;
  }
  pthread_detach(thread);
}
