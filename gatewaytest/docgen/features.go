package docgen

// The features a Document or Request may have, as Features names. Besides
// these, "@name" marks a directive used, "@name.arg literal" and
// "@name.arg variable" how its argument was given, "null field.arg" and
// "null @name.arg" an explicit null there (literal or variable), and
// "int N" an Int argument of N.
const (
	FeatureOperations           = "several operations"
	FeatureRootFields           = "several root fields"
	FeatureAlias                = "alias"
	FeatureAliasMerged          = "alias merged"         // a response key written twice, aliased
	FeatureFieldMerged          = "field merged"         // a field written twice, without alias
	FeatureFragment             = "named fragment"       // spread
	FeatureFragmentReused       = "named fragment again" // spread in another place
	FeatureInline               = "inline fragment"
	FeatureInlineTyped          = "inline fragment with a type condition"
	FeatureDeferNested          = "@defer nested"
	FeatureDeferReusedFragment  = "@defer on a fragment spread in several places"
	FeatureDeferLabelVariable   = "@defer label from a variable"
	FeatureTypename             = "__typename"
	FeatureIntrospection        = "introspection"
	FeatureArgumentOmitted      = "argument omitted"
	FeatureNullLiteral          = "null literal"
	FeatureListCoercionLiteral  = "list coercion, literal"
	FeatureListCoercionVariable = "list coercion, variable"
	FeatureVariableDefault      = "variable with a default"
	FeatureNullableWithDefault  = "nullable variable with a default in a non-null place"
	FeatureVariableOmitted      = "variable omitted"
	FeatureVariableNull         = "variable null"
	FeatureNullToNonNull        = "variable null in a non-null place"
	FeatureVariableMissing      = "non-null variable missing"
	FeatureVariableWrongType    = "variable of the wrong type"
	FeatureUnknownID            = "unknown user id"
	FeatureInvalidID            = "invalid user id"
	FeatureIncremental          = "accepts incremental delivery"
	FeatureNoOperationName      = "no operation name among several"
	FeatureUnknownOperation     = "unknown operation name"
)

// The defects a Document may be given on purpose (Document.Invalid).
const (
	InvalidAliasConflict     = "alias conflict"
	InvalidUnknownField      = "unknown field"
	InvalidMissingArgument   = "missing argument"
	InvalidLiteralType       = "literal of the wrong type"
	InvalidUndefinedVariable = "undefined variable"
	InvalidUnusedVariable    = "unused variable"
	InvalidFragmentType      = "fragment on another type"
	InvalidUnknownDirective  = "unknown directive"
	InvalidSyntax            = "syntax error"
)

var invalids = []string{
	InvalidAliasConflict, InvalidUnknownField, InvalidMissingArgument, InvalidLiteralType,
	InvalidUndefinedVariable, InvalidUnusedVariable, InvalidFragmentType, InvalidUnknownDirective,
	InvalidSyntax,
}
