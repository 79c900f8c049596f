// Loading a DNN from a file: Keras HDF5, ONNX or .nnet, chosen by extension (then by content).
#pragma once

#include <string>

#include "model/network.h"

namespace qeb::model {

/** Loads and validates a network; throws InputError / UnsupportedError naming the file. */
Network load_network(const std::string& path);

/**
 * Keras HDF5 weights (.h5): dense layers in `layer_names` order, whatever their names. The file is
 * first read in a child process, so a crash inside libhdf5 on a corrupt file becomes an InputError.
 */
Network load_keras_h5(const std::string& path);

/** Turns that child process off (fuzzing the loader in-process) or on again (the default). */
void set_hdf5_isolation(bool on);

/**
 * Makes the child a new program instead of a fork: `executable ARGUMENT PATH` must end with
 * probe_keras_h5(PATH) as its exit status. A program with threads must set this (qeb-smt does, with
 * itself): a forked child that allocates can hang on a lock another thread held at the fork.
 */
void set_hdf5_probe_command(const std::string& executable, const std::string& argument);

/** Reads an .h5 file and discards it: the child's work. Returns the exit status the parent expects. */
int probe_keras_h5(const std::string& path);

/** ONNX (.onnx): Gemm, MatMul+Add, Relu, Flatten, Reshape, Identity; anything else is named and rejected. */
Network load_onnx(const std::string& path);

/** .nnet text (optional `//` header lines); its normalisation is kept, not applied. */
Network load_nnet(const std::string& path);

}  // namespace qeb::model
