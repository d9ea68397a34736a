package data

// RemoteFile is one file of an official release.
type RemoteFile struct {
	Name string // file name (also its name inside a mirror folder)
	URL  string // the official address
	Size int64  // bytes (0: unknown)
	MD5  string // checksum of the file as published ("" if none)
	// RawSHA256 is the SHA-256 of the decompressed content of a .gz file, so
	// that recompressed copies (e.g. Debian's packages) verify too.
	RawSHA256 string
}

// FileSum is the expected SHA-256 of a file inside a dataset folder.
type FileSum struct {
	Name   string
	Size   int64
	SHA256 string
}

// Source says where a dataset comes from and what a good copy contains.
type Source struct {
	Name   string // the name used by prune data fetch
	Folder string // the folder created inside the cache
	// Archive, if set, is a .tar.gz whose top-level folder is Folder.
	Archive *RemoteFile
	// Files are fetched one by one into Folder when there is no archive.
	Files []RemoteFile
	// Contents are the files of a good Folder, with checksums where known.
	Contents []FileSum
	// Manual explains how to obtain a dataset that cannot be downloaded.
	Manual string
}

// Sources is the registry of datasets (checksums from the official releases;
// CIFAR-10's file checksums were checked against the official files).
var Sources = map[string]Source{
	"cifar10": {
		Name: "cifar10", Folder: "cifar-10-batches-bin",
		Archive: &RemoteFile{Name: "cifar-10-binary.tar.gz", URL: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
			Size: 170052171, MD5: "c32a1d4ab5d03f1284b67883e8d87530"},
		Contents: []FileSum{
			{"batches.meta.txt", 61, "558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033"},
			{"data_batch_1.bin", 30730000, "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5"},
			{"data_batch_2.bin", 30730000, "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed"},
			{"data_batch_3.bin", 30730000, "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67"},
			{"data_batch_4.bin", 30730000, "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48"},
			{"data_batch_5.bin", 30730000, "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add"},
			{"test_batch.bin", 30730000, "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b"},
		},
	},
	"cifar100": {
		Name: "cifar100", Folder: "cifar-100-binary",
		Archive: &RemoteFile{Name: "cifar-100-binary.tar.gz", URL: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
			MD5: "03b5dce01913d631647c71ecec9e9cb8"},
		Contents: []FileSum{{Name: "train.bin", Size: 50000 * 3074}, {Name: "test.bin", Size: 10000 * 3074}},
	},
	"svhn": {
		Name: "svhn", Folder: "svhn",
		Files: []RemoteFile{
			{Name: "train_32x32.mat", URL: "http://ufldl.stanford.edu/housenumbers/train_32x32.mat", Size: 182040794, MD5: "e26dedcc434d2e4c54c9b2d4a06d8373"},
			{Name: "test_32x32.mat", URL: "http://ufldl.stanford.edu/housenumbers/test_32x32.mat", Size: 64275384, MD5: "eb5a983be6a315427106f1b164d9cef3"},
		},
	},
	"svhn-extra": {
		Name: "svhn-extra", Folder: "svhn",
		Files: []RemoteFile{{Name: "extra_32x32.mat", URL: "http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", MD5: "a93ce644f1a588dc4d68dda5feec44a7"}},
	},
	"fashion-mnist": {
		Name: "fashion-mnist", Folder: "fashion-mnist",
		Files: []RemoteFile{
			{Name: "train-images-idx3-ubyte.gz", URL: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz", MD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d", RawSHA256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
			{Name: "train-labels-idx1-ubyte.gz", URL: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz", MD5: "25c81989df183df01b3e8a0aad5dffbe", RawSHA256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
			{Name: "t10k-images-idx3-ubyte.gz", URL: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz", MD5: "bef4ecab320f06d8554ea6380940ec79", RawSHA256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
			{Name: "t10k-labels-idx1-ubyte.gz", URL: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz", MD5: "bb300cfdad3c16e7a12a480ee83cd310", RawSHA256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
		},
	},
	"mnist": {
		Name: "mnist", Folder: "mnist",
		Files: []RemoteFile{
			{Name: "train-images-idx3-ubyte.gz", URL: "https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz", MD5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
			{Name: "train-labels-idx1-ubyte.gz", URL: "https://storage.googleapis.com/cvdf-datasets/mnist/train-labels-idx1-ubyte.gz", MD5: "d53e105ee54ea40749a09fcbcd1e9432"},
			{Name: "t10k-images-idx3-ubyte.gz", URL: "https://storage.googleapis.com/cvdf-datasets/mnist/t10k-images-idx3-ubyte.gz", MD5: "9fb629c4189551a2d022fa330f9573f3"},
			{Name: "t10k-labels-idx1-ubyte.gz", URL: "https://storage.googleapis.com/cvdf-datasets/mnist/t10k-labels-idx1-ubyte.gz", MD5: "ec29112dd5afa0611ce80d1b7f02629c"},
		},
	},
	"imagenet": {
		Name: "imagenet", Folder: "imagenet",
		Manual: "ImageNet (ILSVRC-2012) and its downsampled 32x32/64x64 variants are distributed by image-net.org after registration; " +
			"place train/<wnid>/*.JPEG and val/ (or the train_data_batch_*.npz / val_data.npz files) under <data>/imagenet and run prune data verify imagenet",
	},
}
