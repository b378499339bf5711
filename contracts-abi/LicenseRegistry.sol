// SPDX-License-Identifier: ISC
pragma solidity 0.8.37;

/// @title LicenseRegistry: firmware licenses for devices, read by licgate gateways.
/// @notice Every state change emits exactly one event and folds it into
/// eventDigest, so a gateway can prove (eth_getProof on slots 0 and 1) that it
/// has seen every event, not only that the ones it saw are genuine.
/// Storage slot 0 is eventCount, slot 1 is eventDigest; nothing may move them.
contract LicenseRegistry {
    /// Number of events emitted so far (slot 0).
    uint256 public eventCount;
    /// d_n = keccak256(d_{n-1} ‖ topic0 ‖ topic1 ‖ … ‖ keccak256(data)), d_0 = 0 (slot 1).
    bytes32 public eventDigest;
    /// The registry's administrator (an account or a multisig).
    address public admin;
    /// The id the next license gets; ids start at 1 and are never reused.
    uint256 public nextLicenseId = 1;

    struct Device {
        address vendor;
        uint8 role;
        bool revoked;
    }

    struct Firmware {
        address vendor;
        uint64 version;
        uint8 role;
        uint64 endOfSupport;
        bool revoked;
    }

    struct License {
        address device;
        address vendor;
        uint8 role;
        uint64 maxVersion;
        uint64 notBefore;
        uint64 expiresAt;
        uint256 features;
        bool revoked;
    }

    mapping(address => bool) public isVendor;
    mapping(address => bool) public isGateway;
    mapping(address => Device) public devices;
    mapping(bytes32 => Firmware) public firmware;
    mapping(address => mapping(uint8 => uint64)) public securityFloor;
    mapping(uint256 => License) public licenses;

    uint256 public constant MAX_TEXT = 256;

    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    event VendorAdded(address indexed vendor, string name);
    event VendorRemoved(address indexed vendor);
    event GatewayAuthorized(address indexed gateway, string label);
    event GatewayWithdrawn(address indexed gateway);
    event DeviceRegistered(address indexed device, address indexed vendor, uint8 role, bytes publicKey);
    event DeviceRoleChanged(address indexed device, uint8 role);
    event DeviceRevoked(address indexed device, uint32 reason);
    event FirmwareRegistered(bytes32 indexed imageHash, address indexed vendor, uint64 version, uint8 role, uint64 endOfSupport, string uri);
    event FirmwareRevoked(bytes32 indexed imageHash, uint32 reason);
    event SecurityFloorRaised(address indexed vendor, uint8 indexed role, uint64 minVersion);
    event LicenseIssued(uint256 indexed licenseId, address indexed device, address indexed vendor, uint8 role, uint64 maxVersion, uint64 notBefore, uint64 expiresAt, uint256 features);
    event LicenseRenewed(uint256 indexed licenseId, uint64 expiresAt);
    event LicenseRevoked(uint256 indexed licenseId, uint32 reason);
    event InstallsAnchored(address indexed gateway, bytes32 indexed root, uint64 firstSeq, uint64 count);

    error NotAdmin(address caller);
    error NotVendor(address caller);
    error ZeroAddress();
    error AlreadyVendor(address vendor);
    error UnknownVendor(address vendor);
    error AlreadyGateway(address gateway);
    error UnknownGateway(address gateway);
    error TextTooLong(uint256 length);
    error BadPublicKey(uint256 length);
    error BadRole(uint8 role);
    error DeviceExists(address device);
    error UnknownDevice(address device);
    error NotDeviceVendor(address device, address caller);
    error DeviceIsRevoked(address device);
    error BadImageHash();
    error FirmwareExists(bytes32 imageHash);
    error UnknownFirmware(bytes32 imageHash);
    error NotFirmwareVendor(bytes32 imageHash, address caller);
    error FirmwareIsRevoked(bytes32 imageHash);
    error FloorNotRaised(uint64 current, uint64 requested);
    error BadValidity(uint64 notBefore, uint64 expiresAt);
    error UnknownLicense(uint256 licenseId);
    error NotLicenseVendor(uint256 licenseId, address caller);
    error LicenseIsRevoked(uint256 licenseId);
    error NotGateway(address caller);
    error EmptyBatch();

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    modifier onlyVendor() {
        if (!isVendor[msg.sender]) revert NotVendor(msg.sender);
        _;
    }

    constructor() {
        admin = msg.sender;
        _log3(AdminTransferred.selector, bytes32(0), _a(msg.sender), "");
    }

    // ---- administration ----

    function transferAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress();
        address previous = admin;
        admin = newAdmin;
        _log3(AdminTransferred.selector, _a(previous), _a(newAdmin), "");
    }

    function addVendor(address vendor, string calldata name) external onlyAdmin {
        if (vendor == address(0)) revert ZeroAddress();
        if (isVendor[vendor]) revert AlreadyVendor(vendor);
        _text(name);
        isVendor[vendor] = true;
        _log2(VendorAdded.selector, _a(vendor), abi.encode(name));
    }

    function removeVendor(address vendor) external onlyAdmin {
        if (!isVendor[vendor]) revert UnknownVendor(vendor);
        isVendor[vendor] = false;
        _log2(VendorRemoved.selector, _a(vendor), "");
    }

    function authorizeGateway(address gateway, string calldata label) external onlyAdmin {
        if (gateway == address(0)) revert ZeroAddress();
        if (isGateway[gateway]) revert AlreadyGateway(gateway);
        _text(label);
        isGateway[gateway] = true;
        _log2(GatewayAuthorized.selector, _a(gateway), abi.encode(label));
    }

    function withdrawGateway(address gateway) external onlyAdmin {
        if (!isGateway[gateway]) revert UnknownGateway(gateway);
        isGateway[gateway] = false;
        _log2(GatewayWithdrawn.selector, _a(gateway), "");
    }

    /// Records the Merkle root of a batch of devices' install reports that
    /// the calling gateway collected: reports firstSeq..firstSeq+count-1 of
    /// that gateway's sequence.  Only an authorised gateway may anchor; the
    /// registry keeps nothing but the event, which enters eventDigest.
    function anchorInstalls(bytes32 root, uint64 firstSeq, uint64 count) external {
        if (!isGateway[msg.sender]) revert NotGateway(msg.sender);
        if (root == bytes32(0) || count == 0) revert EmptyBatch();
        _log3(InstallsAnchored.selector, _a(msg.sender), root, abi.encode(firstSeq, count));
    }

    // ---- devices ----

    /// Registers a device by its secp256k1 public key (33-byte compressed,
    /// 64-byte X‖Y or 65-byte 0x04‖X‖Y); its id is the key's address.
    function registerDevice(bytes calldata publicKey, uint8 role) external onlyVendor returns (address device) {
        if (role == 0) revert BadRole(role);
        device = deviceAddress(publicKey);
        if (devices[device].vendor != address(0)) revert DeviceExists(device);
        devices[device] = Device(msg.sender, role, false);
        _log3(DeviceRegistered.selector, _a(device), _a(msg.sender), abi.encode(role, publicKey));
    }

    function changeDeviceRole(address device, uint8 role) external {
        _ownDevice(device);
        if (role == 0) revert BadRole(role);
        devices[device].role = role;
        _log2(DeviceRoleChanged.selector, _a(device), abi.encode(role));
    }

    function revokeDevice(address device, uint32 reason) external {
        _ownDevice(device);
        devices[device].revoked = true;
        _log2(DeviceRevoked.selector, _a(device), abi.encode(reason));
    }

    // ---- firmware ----

    function registerFirmware(bytes32 imageHash, uint64 version, uint8 role, uint64 endOfSupport, string calldata uri)
        external
        onlyVendor
    {
        if (imageHash == bytes32(0)) revert BadImageHash();
        if (role == 0) revert BadRole(role);
        if (firmware[imageHash].vendor != address(0)) revert FirmwareExists(imageHash);
        _text(uri);
        firmware[imageHash] = Firmware(msg.sender, version, role, endOfSupport, false);
        _log3(FirmwareRegistered.selector, imageHash, _a(msg.sender), abi.encode(version, role, endOfSupport, uri));
    }

    function revokeFirmware(bytes32 imageHash, uint32 reason) external onlyVendor {
        Firmware storage f = firmware[imageHash];
        if (f.vendor == address(0)) revert UnknownFirmware(imageHash);
        if (f.vendor != msg.sender) revert NotFirmwareVendor(imageHash, msg.sender);
        if (f.revoked) revert FirmwareIsRevoked(imageHash);
        f.revoked = true;
        _log2(FirmwareRevoked.selector, imageHash, abi.encode(reason));
    }

    /// Raises the caller's minimum firmware version for a role; never lowers it.
    function raiseFloor(uint8 role, uint64 minVersion) external onlyVendor {
        if (role == 0) revert BadRole(role);
        uint64 current = securityFloor[msg.sender][role];
        if (minVersion <= current) revert FloorNotRaised(current, minVersion);
        securityFloor[msg.sender][role] = minVersion;
        _log3(SecurityFloorRaised.selector, _a(msg.sender), bytes32(uint256(role)), abi.encode(minVersion));
    }

    // ---- licenses ----

    function issueLicense(address device, uint8 role, uint64 maxVersion, uint64 notBefore, uint64 expiresAt, uint256 features)
        external
        onlyVendor
        returns (uint256 licenseId)
    {
        Device storage d = devices[device];
        if (d.vendor == address(0)) revert UnknownDevice(device);
        if (d.revoked) revert DeviceIsRevoked(device);
        if (role == 0) revert BadRole(role);
        if (expiresAt != 0 && expiresAt <= notBefore) revert BadValidity(notBefore, expiresAt);
        licenseId = nextLicenseId++;
        licenses[licenseId] = License(device, msg.sender, role, maxVersion, notBefore, expiresAt, features, false);
        _log4(
            LicenseIssued.selector, bytes32(licenseId), _a(device), _a(msg.sender),
            abi.encode(role, maxVersion, notBefore, expiresAt, features)
        );
    }

    function renewLicense(uint256 licenseId, uint64 expiresAt) external {
        License storage l = _ownLicense(licenseId);
        if (expiresAt != 0 && expiresAt <= l.notBefore) revert BadValidity(l.notBefore, expiresAt);
        l.expiresAt = expiresAt;
        _log2(LicenseRenewed.selector, bytes32(licenseId), abi.encode(expiresAt));
    }

    function revokeLicense(uint256 licenseId, uint32 reason) external {
        License storage l = _ownLicense(licenseId);
        l.revoked = true;
        _log2(LicenseRevoked.selector, bytes32(licenseId), abi.encode(reason));
    }

    // ---- views ----

    /// The device id of a public key (reverts with BadPublicKey for a bad one).
    function deviceAddress(bytes calldata publicKey) public view returns (address) {
        if (publicKey.length == 65 && publicKey[0] == 0x04) {
            return address(uint160(uint256(keccak256(publicKey[1:]))));
        }
        if (publicKey.length == 64) {
            return address(uint160(uint256(keccak256(publicKey))));
        }
        if (publicKey.length == 33 && (publicKey[0] == 0x02 || publicKey[0] == 0x03)) {
            uint256 x = uint256(bytes32(publicKey[1:]));
            uint256 y = _decompress(x, uint8(publicKey[0]) & 1, publicKey.length);
            return address(uint160(uint256(keccak256(abi.encodePacked(x, y)))));
        }
        revert BadPublicKey(publicKey.length);
    }

    // ---- internals ----

    uint256 private constant P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f;

    /// y of a curve point from x and y's parity: y = (x³ + 7)^((p+1)/4) mod p.
    function _decompress(uint256 x, uint256 odd, uint256 len) private view returns (uint256 y) {
        if (x >= P) revert BadPublicKey(len);
        uint256 y2 = addmod(mulmod(mulmod(x, x, P), x, P), 7, P);
        (bool ok, bytes memory out) =
            address(0x05).staticcall(abi.encodePacked(uint256(32), uint256(32), uint256(32), y2, (P + 1) / 4, P));
        if (!ok) revert BadPublicKey(len);
        y = abi.decode(out, (uint256));
        if (mulmod(y, y, P) != y2) revert BadPublicKey(len);
        if (y & 1 != odd) y = P - y;
    }

    function _ownDevice(address device) private view {
        Device storage d = devices[device];
        if (d.vendor == address(0)) revert UnknownDevice(device);
        if (d.vendor != msg.sender || !isVendor[msg.sender]) revert NotDeviceVendor(device, msg.sender);
        if (d.revoked) revert DeviceIsRevoked(device);
    }

    function _ownLicense(uint256 licenseId) private view returns (License storage l) {
        l = licenses[licenseId];
        if (l.vendor == address(0)) revert UnknownLicense(licenseId);
        if (l.vendor != msg.sender || !isVendor[msg.sender]) revert NotLicenseVendor(licenseId, msg.sender);
        if (l.revoked) revert LicenseIsRevoked(licenseId);
    }

    function _text(string calldata s) private pure {
        if (bytes(s).length > MAX_TEXT) revert TextTooLong(bytes(s).length);
    }

    function _a(address a) private pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    /// Folds one event into the digest: the hashed bytes are the emitted ones.
    function _fold(bytes memory topics, bytes memory data) private {
        eventDigest = keccak256(abi.encodePacked(eventDigest, topics, keccak256(data)));
        unchecked {
            eventCount += 1;
        }
    }

    function _log2(bytes32 t0, bytes32 t1, bytes memory data) private {
        _fold(abi.encodePacked(t0, t1), data);
        assembly {
            log2(add(data, 32), mload(data), t0, t1)
        }
    }

    function _log3(bytes32 t0, bytes32 t1, bytes32 t2, bytes memory data) private {
        _fold(abi.encodePacked(t0, t1, t2), data);
        assembly {
            log3(add(data, 32), mload(data), t0, t1, t2)
        }
    }

    function _log4(bytes32 t0, bytes32 t1, bytes32 t2, bytes32 t3, bytes memory data) private {
        _fold(abi.encodePacked(t0, t1, t2, t3), data);
        assembly {
            log4(add(data, 32), mload(data), t0, t1, t2, t3)
        }
    }
}
